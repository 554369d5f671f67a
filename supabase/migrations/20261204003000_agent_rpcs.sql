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

-- Paused runs are waiting on purpose; only runs expected to report can stall. Admin and staff may
-- call it (sync_overview, an invoker function, calls it for them), and so may the edge's service
-- role and agent_heartbeat; a user JWT without an admin or staff role is PT403 like every other user
-- RPC.
create function public.mark_stalled_runs() returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  v_count integer;
begin
  if private.jwt_claims() ->> 'role' = 'authenticated' then
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

-- Hands out an agent's pending commands, each exactly once (claim_commands wraps it).
create function private.claim_pending_commands(p_agent_key text, p_limit integer default 10) returns jsonb
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

-- A claimed start that never opened its run is delivered again. Claiming is not safe to retry on its
-- own: when the claim's answer is lost on the network, or the agent stops between claiming and opening
-- the run, the command stayed `claimed` for good, its sync never ran, and as an unexpired start it
-- blocked every other start of that source until it expired. Now a start claimed over a minute ago
-- whose run was never opened goes back to pending when the agent claims again, until it expires. A copy
-- that does reach an agent twice is harmless: open_run refuses a command whose run is under way.
create function public.claim_commands(p_agent_key text, p_limit integer default 10) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
begin
  update public.commands c set status = 'pending', claimed_at = null
  where c.agent_id = v_agent.id and c.status = 'claimed' and c.action = 'start' and c.run_id is null
    and c.claimed_at < now() - interval '1 minute' and c.expires_at > now();
  return private.claim_pending_commands(p_agent_key, p_limit);
end
$$;

-- Opens a new run for the agent, or resumes one of its runs. It also answers the run's highest stored
-- batch seq (`lastSeq`, null before the first batch): a replayed (run, seq) answers its first result
-- and changes nothing, so a resumed run must never reuse a seq. The agent keeps its own record of the
-- seqs it used and continues after the larger of that and this answer, so losing its local state file
-- cannot make it reuse one. open_run wraps it.
create function private.open_new_or_resumed_run(p_agent_key text, p_request jsonb) returns jsonb
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

-- Opening a command's run is safe to retry. When the answer to the first open is lost on the network
-- (or the request is delivered twice), the agent's retry used to meet its own new run as "another run
-- of this source is active" (PT409): the sync failed and the orphan run blocked every start until it
-- stalled. Now an open for a command whose run this agent opened moments ago and has sent nothing to
-- yet reopens that run. A run that already took batches is refused: another process is working on it.
create function public.open_run(p_agent_key text, p_request jsonb) returns jsonb
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
          message = format('this command already ran: its run is %s', v_run.status);
      end if;
      if v_run.created_at < now() - interval '5 minutes'
        or exists (select 1 from public.ingest_batches b where b.run_id = v_run.id) then
        raise exception using errcode = 'PT409', message = 'this command''s run is already under way';
      end if;
      return private.open_new_or_resumed_run(p_agent_key,
        p_request || jsonb_build_object('resumeRunId', v_run.id));
    end if;
  end if;
  return private.open_new_or_resumed_run(p_agent_key, p_request);
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

-- A cancelled run's `done` is what its accepted batches hold, counted under the run's row lock.
-- Before, it was the number the cancelling process knew. A process that cancels a run it was not
-- streaming (its state file was lost, or a second process with the same key claimed the cancel)
-- knows only the last progress report, and batches already in flight can still commit before the
-- cancel does; the run then ended with `done` short of its batches (private.items_landed counts
-- them).
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

-- Called by the edge after a customers batch landed (also when the batch was a replay): records a
-- pending account for each customer of the batch that this run created and that has an email, then
-- answers every still-pending account of the batch's customers (new ones, and ones an earlier Auth
-- outage left pending) with what the edge needs to create it. Idempotent.
create function public.claim_portal_accounts(p_agent_key text, p_run_id uuid, p_wispro_ids jsonb)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_run public.runs := private.agent_run(p_agent_key, p_run_id);
  v_ids uuid[];
begin
  if jsonb_typeof(p_wispro_ids) is distinct from 'array' then
    raise exception using errcode = 'PT422', message = 'p_wispro_ids must be an array of uuids';
  end if;
  if jsonb_array_length(p_wispro_ids) > 1000 then
    raise exception using errcode = 'PT413', message = 'at most 1000 customers per call';
  end if;
  v_ids := array(select e::uuid from jsonb_array_elements_text(p_wispro_ids) as e);
  if v_run.source <> 'wispro' then
    raise exception using errcode = 'PT409', message = 'portal accounts come from Wispro runs only';
  end if;

  insert into public.portal_accounts (customer_id, email, run_id)
  select c.id, lower(btrim(c.email)), p_run_id
  from public.customers c
  where c.wispro_id = any (v_ids)
    and c.first_run_id = p_run_id
    and btrim(coalesce(c.email, '')) <> ''
  on conflict (customer_id) do nothing;

  -- Ordered, so which of two customers sharing an email gets the account is stable.
  return (
    select coalesce(jsonb_agg(jsonb_build_object('customerId', p.customer_id, 'email', p.email,
        'idNumber', c.id_number) order by c.public_id nulls last, c.id), '[]'::jsonb)
    from public.portal_accounts p
    join public.customers c on c.id = p.customer_id
    where c.wispro_id = any (v_ids) and c.last_run_id = p_run_id and p.status = 'pending'
  );
end
$$;

-- Stores what the edge got from GoTrue for each claimed account and writes one line in the run's
-- log. Only pending accounts of customers this run touched are settled; an outcome 'pending' (Auth
-- unreachable) leaves the account pending, so the next sync that sees the customer tries again.
-- Answers the counts: {created, emailTaken, sharedEmail, refused, pending}.
create function public.settle_portal_accounts(p_agent_key text, p_run_id uuid, p_outcomes jsonb)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_run public.runs := private.agent_run(p_agent_key, p_run_id);
  v_counts jsonb;
  v_message text;
begin
  if jsonb_typeof(p_outcomes) is distinct from 'array' then
    raise exception using errcode = 'PT422', message = 'outcomes must be an array';
  end if;
  if exists (
    select 1 from jsonb_to_recordset(p_outcomes) as o(customer_id uuid, status text)
    where o.customer_id is null
      or o.status is null
      or o.status not in ('pending', 'created', 'email_taken', 'shared_email', 'refused')
  ) then
    raise exception using errcode = 'PT422',
      message = 'each outcome needs customer_id and a status of pending, created, email_taken, shared_email or refused';
  end if;

  update public.portal_accounts p
  set status = o.status, auth_user_id = o.user_id, detail = left(o.detail, 500), settled_at = now()
  from jsonb_to_recordset(p_outcomes) as o(customer_id uuid, status text, user_id uuid, detail text),
    public.customers c
  where p.customer_id = o.customer_id and c.id = p.customer_id and c.last_run_id = v_run.id
    and p.status = 'pending' and o.status <> 'pending';

  select jsonb_build_object(
      'created', count(*) filter (where o.status = 'created'),
      'emailTaken', count(*) filter (where o.status = 'email_taken'),
      'sharedEmail', count(*) filter (where o.status = 'shared_email'),
      'refused', count(*) filter (where o.status = 'refused'),
      'pending', count(*) filter (where o.status = 'pending'))
  into v_counts
  from jsonb_to_recordset(p_outcomes) as o(status text);

  select 'portal accounts: ' || string_agg(t.n || t.label, ', ' order by t.ord) into v_message
  from (values
    (1, (v_counts ->> 'created')::int, ' created'),
    (2, (v_counts ->> 'emailTaken')::int, ' skipped (email already registered)'),
    (3, (v_counts ->> 'sharedEmail')::int, ' skipped (email shared with another new customer)'),
    (4, (v_counts ->> 'refused')::int, ' refused by Auth (see portal_accounts.detail)'),
    (5, (v_counts ->> 'pending')::int, ' left pending (Auth unreachable; retried on the next sync)')
  ) as t(ord, n, label)
  where t.n > 0;
  if v_message is not null then
    insert into public.run_events (run_id, level, message)
    values (v_run.id,
      case when (v_counts ->> 'refused')::int + (v_counts ->> 'pending')::int > 0 then 'warn' else 'info' end,
      v_message);
  end if;
  return v_counts;
end
$$;
