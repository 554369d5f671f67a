-- A batch from the agent of a stalled run brings the run back to running, as a progress report does.
-- A run is marked stalled after two minutes without a report; an agent that was only frozen (a
-- suspended PC, a long network partition) carries on when it wakes up, and its first request is often
-- a batch, not a progress report. That batch used to be refused ("run is stalled, not running") and
-- the whole run failed although nothing was wrong any more. The run stays stalled only when another
-- run of the source has become active meanwhile; then the batch is still refused.
--
-- Same checks as in 20261123090700_ingest_rpcs.sql; volatile now, since it may update the run.
create or replace function private.batch_run(p_agent_id uuid, p_run_id uuid, p_seq integer,
  p_batch jsonb)
returns public.runs
language plpgsql volatile set search_path = ''
as $$
declare
  v_run public.runs;
begin
  select * into v_run from public.runs r where r.id = p_run_id and r.agent_id = p_agent_id;
  if not found then
    raise exception using errcode = 'PT404', message = 'run not found for this agent';
  end if;
  if p_seq is null or p_seq < 0 then
    raise exception using errcode = 'PT422', message = 'seq must be a non-negative integer';
  end if;
  if jsonb_typeof(p_batch) is distinct from 'object' then
    raise exception using errcode = 'PT422', message = 'batch must be a JSON object';
  end if;
  if v_run.status = 'stalled' then
    begin
      update public.runs r set status = 'running', updated_at = now()
      where r.id = v_run.id and r.status = 'stalled'
      returning * into v_run;
    exception when unique_violation then
      null; -- another run of the source is active: this one stays stalled and the batch is refused
    end;
    if v_run.id is null then
      select * into v_run from public.runs r where r.id = p_run_id;
    end if;
  end if;
  return v_run;
end
$$;
