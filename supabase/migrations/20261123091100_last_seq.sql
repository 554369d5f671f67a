-- open_run also answers the run's highest stored batch seq (`lastSeq`, null before the first batch).
-- A replayed (run, seq) answers its first result and changes nothing, so a resumed run must never
-- reuse a seq: the agent keeps its own record of the seqs it used, and continues after the larger of
-- that and this answer, so losing its local state file cannot make it reuse one.
-- Only the final `return` differs from 20261123090500_agent_rpcs.sql.

create or replace function public.open_run(p_agent_key text, p_request jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
  v_run public.runs;
  v_source text := p_request ->> 'source';
  v_command_id uuid := (p_request ->> 'commandId')::uuid;
  v_resume_id uuid := (p_request ->> 'resumeRunId')::uuid;
begin
  if v_source is null or v_source not in ('ferrawin', 'wispro') then
    raise exception using errcode = 'PT422', message = 'source must be ferrawin or wispro';
  end if;
  perform private.lock_agent_source(v_agent.id, v_source);

  if v_resume_id is not null then
    select * into v_run from public.runs r where r.id = v_resume_id and r.agent_id = v_agent.id for update;
    if not found then
      raise exception using errcode = 'PT404', message = 'run not found for this agent';
    end if;
    if v_run.status not in ('paused', 'stalled', 'running') then
      raise exception using errcode = 'PT409',
        message = format('run is %s and cannot be resumed', v_run.status);
    end if;
    begin
      update public.runs r set status = 'running', updated_at = now(), finished_at = null
      where r.id = v_run.id returning * into v_run;
    exception when unique_violation then
      raise exception using errcode = 'PT409', message = 'another run of this source is active';
    end;
  else
    if jsonb_typeof(p_request -> 'params') is distinct from 'object'
      or coalesce(p_request -> 'params' ->> 'mode', '') = '' then
      raise exception using errcode = 'PT422', message = 'params.mode is required';
    end if;
    begin
      insert into public.runs (agent_id, command_id, source, mode, params, status, scheduled, total,
        started_at)
      values (v_agent.id, v_command_id, v_source, p_request -> 'params' ->> 'mode', p_request -> 'params',
        'running', coalesce((p_request ->> 'scheduled')::boolean, false),
        (p_request ->> 'total')::integer, now())
      returning * into v_run;
    exception
      when unique_violation then
        raise exception using errcode = 'PT409', message = 'another run of this source is active',
          hint = 'pause or cancel it first, or resume it';
      when foreign_key_violation then
        raise exception using errcode = 'PT404', message = 'command not found';
    end;
    if v_command_id is not null then
      update public.commands c set status = 'done', done_at = now(), run_id = v_run.id
      where c.id = v_command_id and c.agent_id = v_agent.id;
      if not found then
        raise exception using errcode = 'PT404', message = 'command not found for this agent';
      end if;
    end if;
  end if;
  -- The primary key (run_id, seq) answers this with one backward index probe.
  return private.run_summary(v_run) || jsonb_build_object('lastSeq',
    (select max(b.seq) from public.ingest_batches b where b.run_id = v_run.id));
end
$$;
