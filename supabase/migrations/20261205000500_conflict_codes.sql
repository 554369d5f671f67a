-- Each PT409 (conflict) says which conflict it is: the code goes in the error's DETAIL, which PostgREST
-- passes through as `details`, and the edge copies it into the envelope's `code` (edge/_shared/errors.ts).
-- Clients switch on that code, never on the message (protocol/src/errors.ts lists the codes). The hints
-- keep their words for people. Only the functions that raise a conflict an agent or a user acts on are
-- redefined here, unchanged but for `detail`:
--   run_active            another run of this agent and source is active (open, resume, progress)
--   run_not_resumable     a resume of a run that already ended
--   run_not_running       a batch, progress or finish for a run that is no longer running
--   command_already_ran   a start command whose run already ended
--   command_run_under_way a start command whose run another process is already streaming
--   sync_already_active   a start while a sync of that agent and source is running or waiting
--   request_id_reused     a requestId that was used for another command
--   command_not_claimed   a reject of a command that is not claimed
-- Two conflicts still answer the plain `conflict` code: a batch that met a concurrent batch writing the
-- same planilla (inside public.ingest_planillas, too large to copy for one word) and a portal-account call
-- for a run that is not Wispro's.

create or replace function private.open_new_or_resumed_run(p_agent_key text, p_request jsonb) returns jsonb
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
        message = format('run is %s and cannot be resumed', v_run.status), detail = 'run_not_resumable';
    end if;
    begin
      update public.runs r set status = 'running', updated_at = now(), finished_at = null
      where r.id = v_run.id returning * into v_run;
    exception when unique_violation then
      raise exception using errcode = 'PT409', message = 'another run of this source is active',
        detail = 'run_active';
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
          detail = 'run_active', hint = 'pause or cancel it first, or resume it';
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

create or replace function public.open_run(p_agent_key text, p_request jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
  v_command_id uuid := (p_request ->> 'commandId')::uuid;
  v_run public.runs;
begin
  if v_command_id is not null and (p_request ->> 'resumeRunId') is null
    and p_request ->> 'source' in ('ferrawin', 'wispro') then
    perform private.lock_agent_source(v_agent.id, p_request ->> 'source');
    select * into v_run from public.runs r
    where r.command_id = v_command_id and r.agent_id = v_agent.id
    order by r.created_at desc limit 1;
    if found then
      if v_run.status not in ('queued', 'running') then
        raise exception using errcode = 'PT409',
          message = format('this command already ran: its run is %s', v_run.status),
          detail = 'command_already_ran';
      end if;
      if v_run.created_at < now() - interval '5 minutes'
        or exists (select 1 from public.ingest_batches b where b.run_id = v_run.id) then
        raise exception using errcode = 'PT409', message = 'this command''s run is already under way',
          detail = 'command_run_under_way';
      end if;
      return private.open_new_or_resumed_run(p_agent_key,
        p_request || jsonb_build_object('resumeRunId', v_run.id));
    end if;
  end if;
  return private.open_new_or_resumed_run(p_agent_key, p_request);
end
$$;

create or replace function public.report_progress(p_agent_key text, p_run_id uuid, p_progress jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
  v_run public.runs := private.agent_run(v_agent.id, p_run_id);
  v_status text := coalesce(p_progress ->> 'status', 'running');
begin
  if v_run.status not in ('queued', 'running', 'paused', 'stalled') then
    raise exception using errcode = 'PT409', message = format('run is already %s', v_run.status),
      detail = 'run_not_running';
  end if;
  if v_status not in ('running', 'paused') then
    raise exception using errcode = 'PT422', message = 'status must be running or paused';
  end if;
  begin
    update public.runs r set
      status = v_status,
      total = coalesce((p_progress ->> 'total')::integer, r.total),
      done = coalesce((p_progress ->> 'done')::integer, r.done),
      reported_counts = coalesce(p_progress -> 'counts', r.reported_counts),
      cursor = coalesce(nullif(p_progress -> 'cursor', 'null'::jsonb), r.cursor),
      rate_per_s = (p_progress ->> 'ratePerS')::double precision,
      last_item = coalesce(nullif(p_progress -> 'lastItem', 'null'::jsonb), r.last_item),
      started_at = coalesce(r.started_at, now()),
      updated_at = now()
    where r.id = v_run.id
    returning * into v_run;
  exception when unique_violation then
    raise exception using errcode = 'PT409', message = 'another run of this source is active',
      detail = 'run_active';
  end;
  perform private.insert_run_events(v_run.id, p_progress -> 'events');
  update public.agents a set last_seen_at = now() where a.id = v_agent.id;
  return private.run_summary(v_run);
end
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
    raise exception using errcode = 'PT409', message = format('run is already %s', v_run.status),
      detail = 'run_not_running';
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

create or replace function private.finish_batch(p_run_id uuid, p_seq integer, p_result jsonb) returns jsonb
language plpgsql set search_path = ''
as $$
begin
  insert into public.ingest_batches (run_id, seq, result) values (p_run_id, p_seq, p_result);
  update public.runs r
  set counts = private.add_counts(r.counts, p_result -> 'counts'), updated_at = now()
  where r.id = p_run_id and r.status = 'running';
  if not found then
    raise exception using errcode = 'PT409', message = 'run is not running', detail = 'run_not_running',
      hint = 'open or resume the run before sending batches';
  end if;
  return p_result;
end
$$;

-- The first answer to (run, seq), or null when the run may take it. Waits for an in-flight twin to
-- commit first.
create or replace function private.replayed_batch(p_run_id uuid, p_seq integer) returns jsonb
language plpgsql set search_path = ''
as $$
declare
  v_result jsonb;
  v_status text;
begin
  select b.result into v_result from public.ingest_batches b where b.run_id = p_run_id and b.seq = p_seq;
  if v_result is not null then
    return jsonb_set(v_result, '{replayed}', 'true'::jsonb);
  end if;
  -- A new batch needs a running run. Checked here, where both ingest functions ask for a replay first,
  -- so their own later check (the same words, without the code) is not reached.
  select r.status into v_status from public.runs r where r.id = p_run_id;
  if v_status is distinct from 'running' then
    raise exception using errcode = 'PT409', message = format('run is %s, not running', v_status),
      detail = 'run_not_running', hint = 'open or resume the run before sending batches';
  end if;
  return null;
end
$$;

create or replace function private.enqueue_command_locked(p_request_id uuid, p_agent_id uuid, p_source text, p_action text,
  p_params jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_role text := private.require_role('admin', 'staff');
  v_params jsonb := coalesce(p_params, '{}'::jsonb);
  v_command public.commands;
  v_duplicate boolean := false;
begin
  if p_request_id is null or p_agent_id is null then
    raise exception using errcode = 'PT422', message = 'requestId and agentId are required';
  end if;
  if p_source is null or p_source not in ('ferrawin', 'wispro') then
    raise exception using errcode = 'PT422', message = 'source must be ferrawin or wispro';
  end if;
  if p_action is null or p_action not in ('start', 'pause', 'resume', 'cancel') then
    raise exception using errcode = 'PT422', message = 'action must be start, pause, resume or cancel';
  end if;
  if jsonb_typeof(v_params) <> 'object' then
    raise exception using errcode = 'PT422', message = 'params must be an object';
  end if;
  -- Field staff may start the everyday FerraWin syncs and pause or resume; the rest is admin work.
  if v_role = 'staff' and not (
    (p_action = 'start' and p_source = 'ferrawin' and v_params ->> 'mode' in ('incremental', 'one'))
    or p_action in ('pause', 'resume')
  ) then
    raise exception using errcode = 'PT403', message = 'staff may not do this; ask an admin';
  end if;

  select * into v_command from public.commands c where c.request_id = p_request_id;
  if not found then
    if not exists (select 1 from public.agents a where a.id = p_agent_id and a.revoked_at is null) then
      raise exception using errcode = 'PT404', message = 'agent not found or revoked';
    end if;
    if p_action = 'start' then
      perform private.lock_agent_source(p_agent_id, p_source);
      if private.start_blocked(p_agent_id, p_source) then
        raise exception using errcode = 'PT409',
          message = format('a %s sync is already running or waiting for this agent', p_source),
          detail = 'sync_already_active',
          hint = 'wait for it, or pause or cancel it';
      end if;
    end if;
    insert into public.commands (request_id, agent_id, source, action, params, created_by)
    values (p_request_id, p_agent_id, p_source, p_action, v_params, (private.jwt_claims() ->> 'sub')::uuid)
    on conflict (request_id) do nothing
    returning * into v_command;
    if v_command.id is null then
      select * into v_command from public.commands c where c.request_id = p_request_id;
      v_duplicate := true;
    end if;
  else
    v_duplicate := true;
  end if;
  if v_duplicate and (v_command.agent_id <> p_agent_id or v_command.source <> p_source
      or v_command.action <> p_action) then
    raise exception using errcode = 'PT409', message = 'this requestId was used for another command',
      detail = 'request_id_reused';
  end if;
  return jsonb_build_object('v', 1, 'commandId', v_command.id,
    'status', case when v_command.status = 'pending' and v_command.expires_at <= now() then 'expired'
      else v_command.status end,
    'duplicate', v_duplicate, 'expiresAt', private.iso(v_command.expires_at));
end
$$;

create or replace function public.reject_command(p_agent_key text, p_command_id uuid, p_reason text)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
  v_command public.commands;
begin
  if p_reason is null or btrim(p_reason) = '' then
    raise exception using errcode = 'PT422', message = 'a reason is required';
  end if;
  select * into v_command from public.commands c
  where c.id = p_command_id and c.agent_id = v_agent.id
  for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'command not found for this agent';
  end if;
  if v_command.status = 'claimed' then
    update public.commands c
    set status = 'rejected', reject_reason = left(p_reason, 500), done_at = now()
    where c.id = v_command.id
    returning * into v_command;
  elsif v_command.status <> 'rejected' then
    raise exception using errcode = 'PT409',
      message = format('command is %s; only a claimed command can be rejected', v_command.status),
      detail = 'command_not_claimed';
  end if;
  return jsonb_build_object('v', 1, 'commandId', v_command.id, 'status', v_command.status,
    'reason', v_command.reject_reason);
end
$$;
