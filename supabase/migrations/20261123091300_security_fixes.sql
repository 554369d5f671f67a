-- Security fixes found by tests/security (issue #12).
--
-- mark_stalled_runs was the one RPC a signed-in person without a Puente role could call (the contract
-- says such an account may do nothing). It stays callable by admin and staff (sync_overview, an invoker
-- function, calls it for them), by the edge's service role and from agent_heartbeat; a user JWT without
-- an admin or staff role is now PT403 like every other user RPC. `create or replace` keeps the owner
-- (puente_writer) and the grants of 20261123090900_rpc_grants.sql.
create or replace function public.mark_stalled_runs() returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  v_count integer;
begin
  if auth.role() = 'authenticated' then
    perform private.require_role('admin', 'staff');
  end if;
  -- Paused runs are waiting on purpose; only runs expected to report can stall.
  with stalled as (
    update public.runs r set status = 'stalled', updated_at = now()
    where r.status in ('queued', 'running') and r.updated_at < now() - interval '2 minutes'
    returning 1
  )
  select count(*)::integer into v_count from stalled;
  return v_count;
end
$$;
