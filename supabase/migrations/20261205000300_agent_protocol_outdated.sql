-- Issue 21: the panel says "update the agent". When the edge refuses an agent's protocol version (426
-- protocol_unsupported) it records, for that agent, the version the agent spoke, the one the API needs
-- and since when; the agent's next accepted heartbeat clears it. An outdated agent still authenticates
-- with its key (only its message format is old), so the refusal is attributed to it by the key, never
-- by anything the caller claims.

alter table public.agents
  add column protocol_seen integer check (protocol_seen >= 0),
  add column protocol_needed integer check (protocol_needed >= 0),
  add column outdated_at timestamptz;
comment on column public.agents.protocol_seen is
  'the protocol version of the agent''s last message the edge read (accepted or refused)';
comment on column public.agents.protocol_needed is
  'the protocol version the API speaks, set while the agent is refused (outdated_at not null)';
comment on column public.agents.outdated_at is
  'since when the API refuses this agent''s protocol version; null once a message is accepted again';

-- The web reads them through sync_overview (an invoker RPC), like the other agent columns.
grant select (protocol_seen, protocol_needed, outdated_at) on public.agents to authenticated;

-- The edge calls it after it answered an agent 426. Only the first refusal sets outdated_at, so the
-- panel shows since when the agent has been stuck, not the last retry.
create function public.agent_protocol_refused(p_agent_key text, p_sent integer, p_supported integer)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
begin
  if p_sent is null or p_sent < 0 or p_supported is null or p_supported < 0 or p_sent = p_supported then
    raise exception using errcode = 'PT422',
      message = 'p_sent and p_supported must be two different protocol versions (integers >= 0)';
  end if;
  update public.agents a
  set protocol_seen = p_sent,
      protocol_needed = p_supported,
      outdated_at = coalesce(a.outdated_at, now())
  where a.id = v_agent.id
  returning * into v_agent;
  return jsonb_build_object('agentId', v_agent.id, 'protocolSeen', v_agent.protocol_seen,
    'protocolNeeded', v_agent.protocol_needed, 'outdatedAt', private.iso(v_agent.outdated_at));
end
$$;

-- As before, plus: a heartbeat the edge accepted is in a protocol it speaks, so the agent is no longer
-- outdated.
create or replace function public.agent_heartbeat(p_agent_key text, p_heartbeat jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
begin
  update public.agents a
  set last_seen_at = now(),
      version = coalesce(left(p_heartbeat ->> 'version', 64), a.version),
      hostname = coalesce(left(p_heartbeat ->> 'hostname', 255), a.hostname),
      protocol_seen = case when (p_heartbeat ->> 'v') ~ '^[0-9]{1,9}$'
        then (p_heartbeat ->> 'v')::integer else a.protocol_seen end,
      protocol_needed = null,
      outdated_at = null
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

-- As before, plus each agent's protocol state for the panel's "update the agent" warning.
create or replace function public.sync_overview() returns jsonb
language plpgsql set search_path = ''
as $$
declare
  v_role text := private.require_role('admin', 'staff');
begin
  perform public.mark_stalled_runs();
  return jsonb_build_object(
    'agents', (select coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'name', a.name,
        'hostname', a.hostname, 'version', a.version, 'lastSeenAt', private.iso(a.last_seen_at),
        'revoked', a.revoked_at is not null, 'protocolSeen', a.protocol_seen,
        'protocolNeeded', a.protocol_needed, 'outdatedAt', private.iso(a.outdated_at))
        order by a.created_at, a.name, a.id), '[]'::jsonb)
      from (select x.id, x.name, x.hostname, x.version, x.last_seen_at, x.revoked_at, x.created_at,
          x.protocol_seen, x.protocol_needed, x.outdated_at
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

-- Same ownership and callers as the other agent RPCs (20261204006000_grants.sql): owned by the writer
-- (it takes CREATE on the schema only while it takes the function over), called only by the edge.
grant create on schema public to puente_writer;
alter function public.agent_protocol_refused(text, integer, integer) owner to puente_writer;
revoke create on schema public from puente_writer;
revoke execute on function public.agent_protocol_refused(text, integer, integer)
  from public, anon, authenticated;
grant execute on function public.agent_protocol_refused(text, integer, integer) to service_role;
