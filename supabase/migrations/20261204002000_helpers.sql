-- Shared helpers for the RPCs: agent-key resolution, role checks, JSON shapes and count arithmetic.
-- They are invoker functions: inside a security-definer RPC they run as puente_writer.

-- An agent key is opaque; the database only ever compares SHA-256 hashes (hex).
create function private.key_hash(p_key text) returns text
language sql immutable strict set search_path = ''
as $$ select pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(p_key, 'UTF8')), 'hex') $$;

-- Resolves the calling agent from its key. Unknown or revoked keys are PT401 (HTTP 401).
create function private.agent_for_key(p_key text) returns public.agents
language plpgsql stable set search_path = ''
as $$
declare
  v_agent public.agents;
begin
  if p_key is null or length(p_key) < 16 then
    raise exception using errcode = 'PT401', message = 'agent key missing or malformed',
      hint = 'run `puente-agent init` with the key from the admin panel';
  end if;
  select * into v_agent from public.agents a where a.key_hash = private.key_hash(p_key);
  if not found then
    raise exception using errcode = 'PT401', message = 'unknown agent key',
      hint = 'create a new agent key in the admin panel';
  end if;
  if v_agent.revoked_at is not null then
    raise exception using errcode = 'PT401', message = 'this agent key was revoked',
      hint = 'create a new agent key in the admin panel';
  end if;
  return v_agent;
end
$$;

-- Raises PT403 unless the JWT's app_metadata.role is one of p_roles; returns the role.
create function private.require_role(variadic p_roles text[]) returns text
language plpgsql stable set search_path = ''
as $$
declare
  v_role text := private.app_role();
begin
  if v_role is null or not (v_role = any (p_roles)) then
    raise exception using errcode = 'PT403',
      message = format('requires role %s', array_to_string(p_roles, ' or ')),
      hint = 'ask an admin to set your role';
  end if;
  return v_role;
end
$$;

-- ISO-8601 in UTC with milliseconds, the shape JavaScript's toISOString writes.
create function private.iso(p_at timestamptz) returns text
language sql immutable set search_path = ''
as $$ select pg_catalog.to_char(p_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

-- Adds two RunCounts objects field by field ({planillas:{created,...}, elementos:{...}, ...}).
create function private.add_counts(p_a jsonb, p_b jsonb) returns jsonb
language sql immutable set search_path = ''
as $$
  select coalesce(pg_catalog.jsonb_object_agg(k.kind, (
    select pg_catalog.jsonb_object_agg(f.field,
      coalesce((p_a -> k.kind ->> f.field)::bigint, 0) + coalesce((p_b -> k.kind ->> f.field)::bigint, 0))
    from unnest(array['created', 'updated', 'unchanged', 'deleted', 'rejected']) as f(field)
  )), '{}'::jsonb)
  from (
    select pg_catalog.jsonb_object_keys(coalesce(p_a, '{}'::jsonb)) as kind
    union
    select pg_catalog.jsonb_object_keys(coalesce(p_b, '{}'::jsonb))
  ) as k
$$;

-- A run as the protocol's RunSummary. Server-accumulated counts win over what the agent reported.
create function private.run_summary(r public.runs) returns jsonb
language sql stable set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'id', r.id, 'agentId', r.agent_id, 'commandId', r.command_id, 'source', r.source,
    'mode', r.mode, 'params', r.params, 'status', r.status, 'scheduled', r.scheduled,
    'total', r.total, 'done', r.done,
    'counts', case when r.counts = '{}'::jsonb then r.reported_counts else r.counts end,
    'cursor', r.cursor, 'ratePerS', r.rate_per_s, 'lastItem', r.last_item, 'error', r.error,
    'createdAt', private.iso(r.created_at), 'startedAt', private.iso(r.started_at),
    'updatedAt', private.iso(r.updated_at), 'finishedAt', private.iso(r.finished_at))
$$;

-- Writes a progress/finish message's events into the run's log.
create function private.insert_run_events(p_run_id uuid, p_events jsonb) returns void
language sql set search_path = ''
as $$
  insert into public.run_events (run_id, level, message, at)
  select p_run_id, e.level, left(e.message, 2000), coalesce(e.at, pg_catalog.now())
  from jsonb_to_recordset(coalesce(p_events, '[]'::jsonb)) as e(level text, message text, at timestamptz)
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

-- The run, if it belongs to the agent holding p_agent_key; PT404 otherwise.
create function private.agent_run(p_agent_key text, p_run_id uuid) returns public.runs
language plpgsql stable set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
  v_run public.runs;
begin
  select * into v_run from public.runs r where r.id = p_run_id and r.agent_id = v_agent.id;
  if not found then
    raise exception using errcode = 'PT404', message = 'run not found for this agent';
  end if;
  return v_run;
end
$$;

-- Which run inserted a customer (customers.first_run_id), stamped on insert.
create function private.stamp_first_run() returns trigger
language plpgsql set search_path = ''
as $$
begin
  new.first_run_id := coalesce(new.first_run_id, new.last_run_id);
  return new;
end
$$;

create trigger customers_first_run before insert on public.customers
  for each row execute function private.stamp_first_run();

-- The run's main kind of item (planillas or customers) that its batches landed: created + updated +
-- unchanged + rejected. finish_run counts a cancelled run's `done` with it.
create function private.items_landed(p_source text, p_counts jsonb) returns integer
language sql immutable set search_path = ''
as $$
  select coalesce((c ->> 'created')::integer, 0) + coalesce((c ->> 'updated')::integer, 0)
    + coalesce((c ->> 'unchanged')::integer, 0) + coalesce((c ->> 'rejected')::integer, 0)
  from (select p_counts -> case p_source when 'wispro' then 'customers' else 'planillas' end) as k(c)
$$;
