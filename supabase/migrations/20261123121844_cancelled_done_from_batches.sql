-- A cancelled run's `done` is what its accepted batches hold, counted under the run's row lock.
-- Before, it was the number the cancelling process knew. A process that cancels a run it was not
-- streaming (its state file was lost, or a second process with the same key claimed the cancel)
-- knows only the last progress report, and batches already in flight can still commit before the
-- cancel does; the run then ended with `done` short of its batches. The items are the run's main kind
-- (planillas or customers): created + updated + unchanged + rejected, capped at the total when known.
-- Only this rule changes; everything else is finish_run as it was.

create or replace function private.items_landed(p_source text, p_counts jsonb) returns integer
language sql immutable set search_path = ''
as $$
  select coalesce((c ->> 'created')::integer, 0) + coalesce((c ->> 'updated')::integer, 0)
    + coalesce((c ->> 'unchanged')::integer, 0) + coalesce((c ->> 'rejected')::integer, 0)
  from (select p_counts -> case p_source when 'wispro' then 'customers' else 'planillas' end) as k(c)
$$;

create or replace function public.finish_run(p_agent_key text, p_run_id uuid, p_finish jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
  v_run public.runs := private.agent_run(v_agent.id, p_run_id);
  v_status text := p_finish ->> 'status';
begin
  if v_status is null or v_status not in ('completed', 'failed', 'cancelled') then
    raise exception using errcode = 'PT422', message = 'status must be completed, failed or cancelled';
  end if;
  if v_run.status in ('completed', 'failed', 'cancelled') then
    if v_run.status = v_status then
      return private.run_summary(v_run); -- a retried finish is a no-op
    end if;
    raise exception using errcode = 'PT409', message = format('run is already %s', v_run.status);
  end if;
  if v_status = 'failed' and jsonb_typeof(p_finish -> 'error') is distinct from 'object' then
    raise exception using errcode = 'PT422', message = 'a failed run must say why (error)';
  end if;
  update public.runs r set
    status = v_status,
    total = coalesce((p_finish ->> 'total')::integer, r.total),
    -- r.counts here is the row as locked by this update: every batch that committed first is in it.
    done = case
      when v_status = 'cancelled' and r.counts ? case r.source when 'wispro' then 'customers' else 'planillas' end
        then least(private.items_landed(r.source, r.counts),
          coalesce((p_finish ->> 'total')::integer, r.total, 2147483647))
      else coalesce((p_finish ->> 'done')::integer, r.done)
    end,
    reported_counts = coalesce(p_finish -> 'counts', r.reported_counts),
    error = nullif(p_finish -> 'error', 'null'::jsonb),
    finished_at = now(),
    updated_at = now()
  where r.id = v_run.id
  returning * into v_run;
  perform private.insert_run_events(v_run.id, p_finish -> 'events');
  update public.agents a set last_seen_at = now() where a.id = v_agent.id;
  return private.run_summary(v_run);
end
$$;

revoke execute on function private.items_landed(text, jsonb) from public, anon, authenticated, service_role;
grant execute on function private.items_landed(text, jsonb) to puente_writer;
