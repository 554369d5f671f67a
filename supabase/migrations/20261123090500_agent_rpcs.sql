-- Agent RPCs (service_role only): authenticate, claim commands, heartbeat, and a run's lifecycle.
-- Every one takes the agent's key and resolves the agent itself, so the database never trusts a
-- caller's claim about which agent it is. Security definer, owned by puente_writer (see grants).

create function public.health() returns jsonb
language sql stable set search_path = ''
-- anon may call it, so it uses nothing from the private schema.
as $$
  select jsonb_build_object('ok', true,
    'now', to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
$$;

create function public.mark_stalled_runs() returns integer
language sql security definer set search_path = ''
as $$
  -- Paused runs are waiting on purpose; only runs expected to report can stall.
  with stalled as (
    update public.runs r set status = 'stalled', updated_at = now()
    where r.status in ('queued', 'running') and r.updated_at < now() - interval '2 minutes'
    returning 1
  )
  select count(*)::integer from stalled
$$;

create function public.authenticate_agent(p_key text) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_key);
begin
  return jsonb_build_object('agentId', v_agent.id, 'name', v_agent.name);
end
$$;

create function public.agent_heartbeat(p_agent_key text, p_heartbeat jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
begin
  update public.agents a
  set last_seen_at = now(),
      version = coalesce(left(p_heartbeat ->> 'version', 64), a.version),
      hostname = coalesce(left(p_heartbeat ->> 'hostname', 255), a.hostname)
  where a.id = v_agent.id
  returning * into v_agent;
  -- The run the agent says it is working on is alive even between progress reports.
  if (p_heartbeat ->> 'activeRunId') is not null then
    update public.runs r set updated_at = now()
    where r.id = (p_heartbeat ->> 'activeRunId')::uuid and r.agent_id = v_agent.id
      and r.status in ('queued', 'running');
  end if;
  perform public.mark_stalled_runs();
  return jsonb_build_object('agentId', v_agent.id, 'name', v_agent.name, 'version', v_agent.version,
    'hostname', v_agent.hostname, 'lastSeenAt', private.iso(v_agent.last_seen_at));
end
$$;

-- Serialises everything that decides "is there an active run / pending start" for one agent+source.
create function private.lock_agent_source(p_agent_id uuid, p_source text) returns void
language sql set search_path = ''
as $$ select pg_advisory_xact_lock(hashtextextended(p_agent_id::text || '/' || p_source, 0)) $$;

-- True while the agent has an active run of the source or an unexpired start waiting to run.
create function private.start_blocked(p_agent_id uuid, p_source text) returns boolean
language sql stable set search_path = ''
as $$
  select exists (
    select 1 from public.runs r
    where r.agent_id = p_agent_id and r.source = p_source and r.status in ('queued', 'running', 'paused')
  ) or exists (
    select 1 from public.commands c
    where c.agent_id = p_agent_id and c.source = p_source and c.action = 'start'
      and c.status in ('pending', 'claimed') and c.expires_at > now()
  )
$$;

create function public.claim_commands(p_agent_key text, p_limit integer default 10) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
  v_schedule record;
  v_commands jsonb;
begin
  if p_limit is null or p_limit < 1 or p_limit > 50 then
    raise exception using errcode = 'PT422', message = 'limit must be between 1 and 50';
  end if;
  -- Due schedules first: each enqueues a scheduled start unless one is active or pending.
  for v_schedule in
    select s.* from public.schedules s
    where s.agent_id = v_agent.id and s.interval_minutes is not null and s.next_due_at <= now()
    for update skip locked
  loop
    perform private.lock_agent_source(v_agent.id, v_schedule.source);
    if not private.start_blocked(v_agent.id, v_schedule.source) then
      insert into public.commands (request_id, agent_id, source, action, params, scheduled)
      values (gen_random_uuid(), v_agent.id, v_schedule.source, 'start',
        case v_schedule.source when 'ferrawin' then '{"mode":"incremental"}'::jsonb
          else '{"mode":"full"}'::jsonb end,
        true);
    end if;
    update public.schedules s
    set next_due_at = now() + make_interval(mins => s.interval_minutes), updated_at = now()
    where s.agent_id = v_schedule.agent_id and s.source = v_schedule.source;
  end loop;

  update public.commands c set status = 'expired'
  where c.agent_id = v_agent.id and c.status = 'pending' and c.expires_at <= now();

  -- skip locked: two claimers never wait on each other and never get the same command.
  with picked as (
    select c.id from public.commands c
    where c.agent_id = v_agent.id and c.status = 'pending' and c.expires_at > now()
    order by c.created_at, c.id
    limit p_limit
    for update skip locked
  ), claimed as (
    update public.commands c set status = 'claimed', claimed_at = now()
    from picked where c.id = picked.id
    returning c.*
  )
  select coalesce(jsonb_agg(jsonb_build_object(
      'id', c.id, 'requestId', c.request_id, 'agentId', c.agent_id, 'source', c.source,
      'action', c.action, 'params', c.params, 'scheduled', c.scheduled,
      'createdAt', private.iso(c.created_at), 'expiresAt', private.iso(c.expires_at))
    order by c.created_at, c.id), '[]'::jsonb)
  into v_commands
  from claimed c;
  return jsonb_build_object('v', 1, 'commands', v_commands);
end
$$;

create function public.open_run(p_agent_key text, p_request jsonb) returns jsonb
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
  return private.run_summary(v_run);
end
$$;

-- The agent's run, locked; PT404 when it is not this agent's.
create function private.agent_run(p_agent_id uuid, p_run_id uuid) returns public.runs
language plpgsql set search_path = ''
as $$
declare
  v_run public.runs;
begin
  select * into v_run from public.runs r where r.id = p_run_id and r.agent_id = p_agent_id for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'run not found for this agent';
  end if;
  return v_run;
end
$$;

create function public.report_progress(p_agent_key text, p_run_id uuid, p_progress jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
  v_run public.runs := private.agent_run(v_agent.id, p_run_id);
  v_status text := coalesce(p_progress ->> 'status', 'running');
begin
  if v_run.status not in ('queued', 'running', 'paused', 'stalled') then
    raise exception using errcode = 'PT409', message = format('run is already %s', v_run.status);
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
    raise exception using errcode = 'PT409', message = 'another run of this source is active';
  end;
  perform private.insert_run_events(v_run.id, p_progress -> 'events');
  update public.agents a set last_seen_at = now() where a.id = v_agent.id;
  return private.run_summary(v_run);
end
$$;

create function public.finish_run(p_agent_key text, p_run_id uuid, p_finish jsonb) returns jsonb
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
    done = coalesce((p_finish ->> 'done')::integer, r.done),
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

create function public.planilla_fingerprints(p_agent_key text, p_year integer default null) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
  v_result jsonb;
begin
  -- Planillas rejected for a missing obra keep the fingerprint they were rejected at, so the agent
  -- does not re-send them until they change; a stored planilla's own fingerprint wins.
  select coalesce(jsonb_object_agg(f.codigo, f.fingerprint), '{}'::jsonb) into v_result
  from (
    select p.codigo, p.fingerprint from public.planillas p
    where p_year is null or p.zconta = p_year
    union all
    (
      select distinct on (rr.record_key) rr.record_key, rr.payload ->> 'fingerprint'
      from public.run_rejects rr
      where rr.reason = 'missing_obra' and rr.payload ->> 'fingerprint' is not null
        and (p_year is null or rr.record_key like p_year::text || '-%')
        and not exists (select 1 from public.planillas p where p.codigo = rr.record_key)
      order by rr.record_key, rr.at desc
    )
  ) as f;
  return v_result;
end
$$;
