-- Issue 21: an agent whose protocol the edge refuses is recorded as outdated (the panel then says
-- "update the agent"), attributed by its key; its next accepted heartbeat clears it.
begin;
select * from no_plan();
\ir _setup.psql

set local role service_role;
select is(public.agent_protocol_refused(:'agent_key', 0, 1) - 'outdatedAt',
  jsonb_build_object('agentId', :'agent_id', 'protocolSeen', 0, 'protocolNeeded', 1),
  'the edge records a refused protocol for the agent holding the key');
select ok((public.agent_protocol_refused(:'agent_key', 0, 1) ->> 'outdatedAt') is not null,
  'a refused agent has an outdatedAt');
select throws_ok(format('select public.agent_protocol_refused(%L, 0, 1)', 'pk_' || repeat('0', 64)),
  'PT401', null, 'an unknown key records nothing (PT401)');
select throws_ok(format('select public.agent_protocol_refused(%L, 1, 1)', :'agent_key'), 'PT422', null,
  'the version the API speaks is not a refusal');
select throws_ok(format('select public.agent_protocol_refused(%L, -1, 1)', :'agent_key'), 'PT422', null,
  'a negative version is refused');
reset role;

-- The first refusal's time is kept while the agent keeps retrying.
update public.agents set outdated_at = '2026-01-01T00:00:00Z' where id = :'agent_id';
set local role service_role;
select is(public.agent_protocol_refused(:'agent_key', 0, 1) ->> 'outdatedAt', '2026-01-01T00:00:00.000Z',
  'a repeated refusal keeps the first outdatedAt');
reset role;

-- Staff and admins see it in sync_overview; the other agent is untouched.
set local role authenticated;
set local request.jwt.claims = :'staff';
select is((select a - 'id' - 'name' - 'hostname' - 'version' - 'lastSeenAt' - 'revoked'
    from jsonb_array_elements(public.sync_overview() -> 'agents') as a where a ->> 'id' = :'agent_id'),
  '{"protocolSeen":0,"protocolNeeded":1,"outdatedAt":"2026-01-01T00:00:00.000Z"}'::jsonb,
  'sync_overview shows staff the version the agent speaks, the one needed and since when');
select is((select a -> 'outdatedAt' from jsonb_array_elements(public.sync_overview() -> 'agents') as a
    where a ->> 'id' = :'other_agent_id'), 'null'::jsonb, 'another agent is not marked outdated');
select throws_ok(format('select public.agent_protocol_refused(%L, 0, 1)', :'agent_key'), '42501', null,
  'a web user may not record a refusal');
reset role;
reset request.jwt.claims;

-- A heartbeat the edge accepted clears it and records the version spoken.
set local role service_role;
select lives_ok(format('select public.agent_heartbeat(%L, %L)', :'agent_key',
  '{"v":1,"version":"2.0.0","hostname":"PC"}'), 'an accepted heartbeat');
reset role;
select is((select row(protocol_seen, protocol_needed, outdated_at)::text from public.agents
    where id = :'agent_id'), '(1,,)', 'the agent is no longer outdated and speaks v1');

select * from finish();
rollback;
