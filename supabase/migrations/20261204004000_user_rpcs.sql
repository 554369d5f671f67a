-- User RPCs, called with the user's JWT. Reads are security invoker, so the RLS policies decide what
-- a user sees; writes are security definer (owned by puente_writer) and check the role themselves.

-- Stores a command, idempotently on its request id (enqueue_command wraps it).
create function private.enqueue_command_locked(p_request_id uuid, p_agent_id uuid, p_source text, p_action text,
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
    raise exception using errcode = 'PT409', message = 'this requestId was used for another command';
  end if;
  return jsonb_build_object('v', 1, 'commandId', v_command.id,
    'status', case when v_command.status = 'pending' and v_command.expires_at <= now() then 'expired'
      else v_command.status end,
    'duplicate', v_duplicate, 'expiresAt', private.iso(v_command.expires_at));
end
$$;

-- A double-clicked start gets its command back, not a conflict. Two requests with the same requestId
-- arriving together both missed each other's uncommitted row, so the second waited for the first's
-- agent/source lock and then met the first's pending start: "a sync is already running" (PT409)
-- instead of the duplicate answer. Taking the lock before the requestId lookup makes the second see
-- the first's committed command and answer it as a duplicate.
-- The advisory lock is per transaction and re-entrant, so taking it again in
-- enqueue_command_locked waits for nothing.
create function public.enqueue_command(p_request_id uuid, p_agent_id uuid, p_source text, p_action text,
  p_params jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
begin
  if p_action = 'start' and p_agent_id is not null and p_source in ('ferrawin', 'wispro') then
    perform private.lock_agent_source(p_agent_id, p_source);
  end if;
  return private.enqueue_command_locked(p_request_id, p_agent_id, p_source, p_action, p_params);
end
$$;

create function public.create_agent(p_name text) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_key text;
  v_id uuid;
begin
  perform private.require_role('admin');
  if p_name is null or length(btrim(p_name)) not between 1 and 100 then
    raise exception using errcode = 'PT422', message = 'name must be 1 to 100 characters';
  end if;
  -- 244 random bits from two v4 UUIDs; only the hash is stored, the key is returned once.
  v_key := 'pk_' || replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '');
  insert into public.agents (name, key_hash) values (btrim(p_name), private.key_hash(v_key))
  returning id into v_id;
  return jsonb_build_object('agentId', v_id, 'key', v_key);
end
$$;

create function public.revoke_agent(p_agent_id uuid) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.require_role('admin');
  update public.agents a set revoked_at = coalesce(a.revoked_at, now()) where a.id = p_agent_id;
  if not found then
    raise exception using errcode = 'PT404', message = 'agent not found';
  end if;
end
$$;

create function public.set_schedule(p_agent_id uuid, p_source text, p_interval_minutes integer)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_schedule public.schedules;
begin
  perform private.require_role('admin');
  if p_source is null or p_source not in ('ferrawin', 'wispro') then
    raise exception using errcode = 'PT422', message = 'source must be ferrawin or wispro';
  end if;
  if p_interval_minutes is not null and p_interval_minutes not in (2, 5, 15, 30, 60, 120, 240) then
    raise exception using errcode = 'PT422',
      message = 'interval must be one of 2, 5, 15, 30, 60, 120, 240 minutes';
  end if;
  if not exists (select 1 from public.agents a where a.id = p_agent_id) then
    raise exception using errcode = 'PT404', message = 'agent not found';
  end if;
  insert into public.schedules as s (agent_id, source, interval_minutes, next_due_at)
  values (p_agent_id, p_source, p_interval_minutes,
    now() + make_interval(mins => p_interval_minutes))
  on conflict (agent_id, source) do update
    set interval_minutes = excluded.interval_minutes, next_due_at = excluded.next_due_at, updated_at = now()
  returning * into v_schedule;
  return jsonb_build_object('agentId', v_schedule.agent_id, 'source', v_schedule.source,
    'intervalMinutes', v_schedule.interval_minutes, 'nextDueAt', private.iso(v_schedule.next_due_at));
end
$$;

create function public.year_status(p_year integer) returns jsonb
language plpgsql stable set search_path = ''
as $$
declare
  v_result jsonb;
begin
  perform private.require_role('admin', 'staff');
  select jsonb_build_object('year', p_year, 'synced', count(*)::integer, 'lastCode', max(p.codigo))
  into v_result
  from public.planillas p where p.zconta = p_year;
  return v_result;
end
$$;

create function public.list_runs(p_source text default null, p_status text default null,
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
  select coalesce(jsonb_agg(private.run_summary(r) order by r.created_at desc, r.id desc), '[]'::jsonb)
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

-- Reject payloads may hold personal data, so authenticated has no column privilege on them; this
-- definer helper hands them to admins only.
create function private.reject_payloads(p_run_id uuid) returns table (id bigint, payload jsonb)
language plpgsql stable security definer set search_path = ''
as $$
begin
  if private.app_role() is distinct from 'admin' then
    return;
  end if;
  return query select rr.id, rr.payload from public.run_rejects rr where rr.run_id = p_run_id;
end
$$;

create function public.run_detail(p_run_id uuid) returns jsonb
language plpgsql stable set search_path = ''
as $$
declare
  v_run public.runs;
begin
  perform private.require_role('admin', 'staff');
  select * into v_run from public.runs r where r.id = p_run_id;
  if not found then
    raise exception using errcode = 'PT404', message = 'run not found';
  end if;
  return jsonb_build_object(
    'run', private.run_summary(v_run),
    'events', (select coalesce(jsonb_agg(jsonb_build_object('level', e.level, 'message', e.message,
        'at', private.iso(e.at)) order by e.at, e.id), '[]'::jsonb)
      from public.run_events e where e.run_id = p_run_id),
    'rejects', (select coalesce(jsonb_agg(jsonb_build_object('recordKey', rr.record_key,
        'reason', rr.reason, 'detail', rr.detail, 'payload', pl.payload, 'at', private.iso(rr.at))
        order by rr.id), '[]'::jsonb)
      from (select x.id, x.record_key, x.reason, x.detail, x.at from public.run_rejects x
        where x.run_id = p_run_id) as rr
      left join private.reject_payloads(p_run_id) as pl on pl.id = rr.id));
end
$$;

create function public.sync_overview() returns jsonb
language plpgsql set search_path = ''
as $$
declare
  v_role text := private.require_role('admin', 'staff');
begin
  perform public.mark_stalled_runs();
  return jsonb_build_object(
    'agents', (select coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'name', a.name,
        'hostname', a.hostname, 'version', a.version, 'lastSeenAt', private.iso(a.last_seen_at),
        'revoked', a.revoked_at is not null) order by a.created_at, a.name, a.id), '[]'::jsonb)
      from (select x.id, x.name, x.hostname, x.version, x.last_seen_at, x.revoked_at, x.created_at
        from public.agents x) as a),
    'activeRuns', (select coalesce(jsonb_agg(private.run_summary(r) order by r.created_at desc), '[]'::jsonb)
      from public.runs r where r.status in ('queued', 'running', 'paused', 'stalled')),
    'totals', jsonb_build_object(
      'planillas', (select count(*) from public.planillas),
      'elementos', (select count(*) from public.elementos),
      'customers', case when v_role = 'admin' then (select count(*) from public.customers) end),
    'years', (select coalesce(jsonb_agg(jsonb_build_object('year', y.zconta, 'synced', y.synced,
        'lastCode', y.last_code) order by y.zconta desc), '[]'::jsonb)
      from (select p.zconta, count(*)::integer as synced, max(p.codigo) as last_code
        from public.planillas p group by p.zconta) as y),
    'schedules', (select coalesce(jsonb_agg(jsonb_build_object('agentId', s.agent_id, 'source', s.source,
        'intervalMinutes', s.interval_minutes, 'nextDueAt', private.iso(s.next_due_at))), '[]'::jsonb)
      from public.schedules s where s.interval_minutes is not null));
end
$$;
