-- The history says who started each run and what it rejected, by reason (issue #24's walk-through:
-- what a person scanning a week of syncs looks for).
--
-- A command remembers who asked for it: the email in the caller's JWT, taken by a column default, so
-- enqueue_command stays as it was. Scheduled commands (no caller) and commands from before this
-- migration have none.
alter table public.commands add column requested_by text
  default (left(private.jwt_claims() ->> 'email', 320));

-- Web users cannot read public.commands; this definer helper (owned by the writer, like
-- private.reject_payloads) hands over that one column, for admins and staff only.
create function private.run_requested_by(p_command_id uuid) returns text
language sql stable security definer set search_path = ''
as $$
  select c.requested_by from public.commands c
  where c.id = p_command_id and private.app_role() in ('admin', 'staff')
$$;

grant create on schema private to puente_writer;
alter function private.run_requested_by(uuid) owner to puente_writer;
revoke create on schema private from puente_writer;
revoke execute on function private.run_requested_by(uuid) from public, anon, authenticated, service_role;
grant execute on function private.run_requested_by(uuid) to authenticated;

-- list_runs as before, each run with `requestedBy` (null for scheduled runs and unknown requesters) and
-- `rejectsByReason` ({"missing_obra": 3, …}; run_rejects is readable by admins and staff under RLS).
create or replace function public.list_runs(p_source text default null, p_status text default null,
  p_agent_id uuid default null, p_limit integer default 50, p_before timestamptz default null)
returns jsonb
language plpgsql stable set search_path = ''
as $$
declare
  v_result jsonb;
begin
  perform private.require_role('admin', 'staff');
  if p_limit is null or p_limit < 1 or p_limit > 500 then
    raise exception using errcode = 'PT422', message = 'limit must be between 1 and 500';
  end if;
  select coalesce(jsonb_agg(private.run_summary(r) || jsonb_build_object(
      'requestedBy', case when r.scheduled then null else private.run_requested_by(r.command_id) end,
      'rejectsByReason', (
        select coalesce(jsonb_object_agg(x.reason, x.n), '{}'::jsonb)
        from (
          select rr.reason, count(*)::integer as n from public.run_rejects rr
          where rr.run_id = r.id group by rr.reason
        ) as x))
    order by r.created_at desc, r.id desc), '[]'::jsonb)
  into v_result
  from (
    select * from public.runs r
    where (p_source is null or r.source = p_source)
      and (p_status is null or r.status = p_status)
      and (p_agent_id is null or r.agent_id = p_agent_id)
      and (p_before is null or r.created_at < p_before)
    order by r.created_at desc, r.id desc
    limit p_limit
  ) as r;
  return v_result;
end
$$;
