-- Agent keys (stored only hashed, revoked keys refused), the command mailbox (idempotency, role
-- rules, expiry, one start at a time), schedules, and the single-active-run rule.
begin;
select * from no_plan();
\ir _setup.psql

-- Keys: only the SHA-256 is stored; the key itself appears nowhere.
select is((select key_hash from public.agents where id = :'agent_id'),
  encode(sha256(convert_to(:'agent_key', 'UTF8')), 'hex'), 'agents.key_hash is the SHA-256 of the key');
select is((select count(*)::int from public.agents a where to_jsonb(a)::text like '%' || :'agent_key' || '%'), 0,
  'no agents column holds the key itself');
select ok(:'agent_key' ~ '^pk_[0-9a-f]{64}$', 'keys are pk_ + 64 hex characters');

set local role service_role;
select is(public.authenticate_agent(:'agent_key') ->> 'agentId', :'agent_id', 'authenticate_agent resolves the key');
select throws_ok(format('select public.authenticate_agent(%L)', 'pk_' || repeat('0', 64)), 'PT401', null,
  'an unknown key is PT401');
select throws_ok($$select public.authenticate_agent(null)$$, 'PT401', null, 'a missing key is PT401');
reset role;

-- Revoking stops the key at once, for every agent RPC.
set local role authenticated;
set local request.jwt.claims = :'admin';
select lives_ok(format('select public.revoke_agent(%L)', :'other_agent_id'), 'admin revokes an agent');
select throws_ok(format('select public.revoke_agent(%L)', gen_random_uuid()), 'PT404', null, 'revoking an unknown agent is PT404');
reset role;
set local role service_role;
select throws_ok(format('select public.authenticate_agent(%L)', :'other_agent_key'), 'PT401', 'this agent key was revoked',
  'a revoked key is refused by authenticate_agent');
select throws_ok(format('select public.claim_commands(%L)', :'other_agent_key'), 'PT401', null,
  'a revoked key is refused by claim_commands');
select throws_ok(format('select public.ingest_planillas(%L, %L, 0, %L)', :'other_agent_key', gen_random_uuid(), '{}'),
  'PT401', null, 'a revoked key is refused by ingest_planillas');
reset role;

-- Commands: staff may start incremental/one FerraWin syncs, pause and resume; admins everything.
set local role authenticated;
set local request.jwt.claims = :'staff';
select is(public.enqueue_command('20000000-0000-4000-8000-000000000001', :'agent_id', 'ferrawin', 'start',
  '{"mode":"incremental"}') - 'commandId' - 'expiresAt', '{"v":1,"status":"pending","duplicate":false}'::jsonb,
  'staff enqueues an incremental FerraWin start');
select is(public.enqueue_command('20000000-0000-4000-8000-000000000001', :'agent_id', 'ferrawin', 'start',
  '{"mode":"incremental"}') ->> 'duplicate', 'true', 'the same requestId again is a duplicate');
select is((select count(*)::int from (select 1) x where (public.enqueue_command('20000000-0000-4000-8000-000000000001',
  :'agent_id', 'ferrawin', 'start', '{"mode":"incremental"}') ->> 'commandId') = (public.enqueue_command(
  '20000000-0000-4000-8000-000000000001', :'agent_id', 'ferrawin', 'start', '{"mode":"incremental"}') ->> 'commandId')),
  1, 'a duplicate returns the same commandId');
select throws_ok(format('select public.enqueue_command(%L, %L, %L, %L, %L)', gen_random_uuid(), :'agent_id',
  'ferrawin', 'start', '{"mode":"one","code":"2026-000001"}'), 'PT409', null,
  'a second start while one is pending is PT409');
select throws_ok(format('select public.enqueue_command(%L, %L, %L, %L, %L)', gen_random_uuid(), :'agent_id',
  'wispro', 'start', '{"mode":"full"}'), 'PT403', null, 'staff may not start Wispro');
select throws_ok(format('select public.enqueue_command(%L, %L, %L, %L, %L)', gen_random_uuid(), :'agent_id',
  'ferrawin', 'start', '{"mode":"year","year":2025}'), 'PT403', null, 'staff may not start a year sync');
select throws_ok(format('select public.enqueue_command(%L, %L, %L, %L, %L)', gen_random_uuid(), :'agent_id',
  'ferrawin', 'cancel', '{}'), 'PT403', null, 'staff may not cancel');
select lives_ok(format('select public.enqueue_command(%L, %L, %L, %L, %L)', gen_random_uuid(), :'agent_id',
  'ferrawin', 'pause', '{}'), 'staff may pause');
select throws_ok(format('select public.enqueue_command(%L, %L, %L, %L, %L)', gen_random_uuid(), :'agent_id',
  'ferrawin', 'explode', '{}'), 'PT422', null, 'an unknown action is PT422');
select throws_ok(format('select public.enqueue_command(%L, %L, %L, %L, %L)', gen_random_uuid(), gen_random_uuid(),
  'ferrawin', 'pause', '{}'), 'PT404', null, 'an unknown agent is PT404');
select throws_ok(format('select public.enqueue_command(%L, %L, %L, %L, %L)', gen_random_uuid(), :'other_agent_id',
  'ferrawin', 'pause', '{}'), 'PT404', null, 'a revoked agent gets no commands (PT404)');
select throws_ok(format('select public.enqueue_command(%L, %L, %L, %L, %L)', '20000000-0000-4000-8000-000000000001',
  :'agent_id', 'ferrawin', 'pause', '{}'), 'PT409', null, 'a requestId reused for another command is PT409');
set local request.jwt.claims = :'norole';
select throws_ok(format('select public.enqueue_command(%L, %L, %L, %L, %L)', gen_random_uuid(), :'agent_id',
  'ferrawin', 'pause', '{}'), 'PT403', null, 'a user without a role may not enqueue');
set local request.jwt.claims = :'admin';
select is(public.enqueue_command('20000000-0000-4000-8000-000000000002', :'agent_id', 'wispro', 'start',
  '{"mode":"full"}') ->> 'status', 'pending', 'admin starts Wispro');
reset role;
select is((select expires_at - created_at from public.commands where request_id = '20000000-0000-4000-8000-000000000002'),
  interval '15 minutes', 'commands expire after 15 minutes');

-- Claim: each pending command once; expired ones are marked and never returned.
update public.commands set expires_at = now() - interval '1 second'
where request_id = '20000000-0000-4000-8000-000000000002';
set local role service_role;
select is(jsonb_array_length(public.claim_commands(:'agent_key') -> 'commands'), 2,
  'claim returns the two live commands (start and pause), not the expired one');
select is(jsonb_array_length(public.claim_commands(:'agent_key') -> 'commands'), 0, 'a second claim returns nothing');
select throws_ok(format('select public.claim_commands(%L, 0)', :'agent_key'), 'PT422', null, 'limit 0 is PT422');
reset role;
select is((select status from public.commands where request_id = '20000000-0000-4000-8000-000000000002'), 'expired',
  'the expired command is marked expired');
select is((select status from public.commands where request_id = '20000000-0000-4000-8000-000000000001'), 'claimed',
  'the claimed command is marked claimed');
set local role authenticated;
set local request.jwt.claims = :'admin';
select is(public.enqueue_command('20000000-0000-4000-8000-000000000003', :'agent_id', 'wispro', 'start',
  '{"mode":"full"}') ->> 'status', 'pending', 'an expired start does not block a new one');
select is(public.enqueue_command('20000000-0000-4000-8000-000000000002', :'agent_id', 'wispro', 'start',
  '{"mode":"full"}') ->> 'status', 'expired', 'a duplicate of an expired command says expired');
reset role;

-- open_run marks the command done; one active run per agent and source.
select id as command_id from public.commands where request_id = '20000000-0000-4000-8000-000000000001' \gset
set local role service_role;
select public.open_run(:'agent_key', jsonb_build_object('commandId', :'command_id',
  'source', 'ferrawin', 'params', '{"mode":"incremental"}'::jsonb)) ->> 'id' as run_id \gset
reset role;
select is((select status from public.commands where request_id = '20000000-0000-4000-8000-000000000001'), 'done',
  'open_run marks its command done');
set local role service_role;
select throws_ok(format('select public.open_run(%L, %L)', :'agent_key', '{"source":"ferrawin","params":{"mode":"all"}}'),
  'PT409', null, 'a second active FerraWin run is PT409');
select lives_ok(format('select public.open_run(%L, %L)', :'agent_key', '{"source":"wispro","params":{"mode":"full"}}'),
  'a Wispro run may run beside the FerraWin one');
select throws_ok(format('select public.open_run(%L, %L)', :'agent_key', '{"source":"ferrawin","params":{}}'),
  'PT422', null, 'a run without a mode is PT422');
reset role;
set local role authenticated;
set local request.jwt.claims = :'staff';
select throws_ok(format('select public.enqueue_command(%L, %L, %L, %L, %L)', gen_random_uuid(), :'agent_id',
  'ferrawin', 'start', '{"mode":"incremental"}'), 'PT409', null, 'a start while a run is active is PT409');
reset role;

-- Schedules: admin sets them; a due schedule enqueues a scheduled start when nothing is active.
set local role authenticated;
set local request.jwt.claims = :'admin';
select is(public.set_schedule(:'agent_id', 'ferrawin', 15) ->> 'intervalMinutes', '15', 'admin sets a schedule');
select throws_ok(format('select public.set_schedule(%L, %L, 7)', :'agent_id', 'ferrawin'), 'PT422', null,
  'an interval outside the list is PT422');
select is(public.set_schedule(:'agent_id', 'wispro', null) -> 'intervalMinutes', 'null'::jsonb, 'a null interval turns it off');
reset role;
update public.schedules set next_due_at = now() - interval '1 minute' where agent_id = :'agent_id';
set local role service_role;
select is((select count(*)::int from jsonb_array_elements(public.claim_commands(:'agent_key') -> 'commands') as c
  where (c ->> 'scheduled')::boolean), 0, 'a due schedule does not start while a FerraWin run is active');
select public.finish_run(:'agent_key', :'run_id', '{"status":"completed","done":0}') is not null as finished \gset
reset role;
update public.schedules set next_due_at = now() - interval '1 minute' where agent_id = :'agent_id' and source = 'ferrawin';
set local role service_role;
select is((public.claim_commands(:'agent_key') -> 'commands' -> 0) - 'id' - 'requestId' - 'createdAt' - 'expiresAt',
  jsonb_build_object('agentId', :'agent_id', 'source', 'ferrawin', 'action', 'start',
    'params', '{"mode":"incremental"}'::jsonb, 'scheduled', true),
  'a due schedule with no active run is claimed as a scheduled incremental start');
reset role;
select ok((select next_due_at > now() from public.schedules where agent_id = :'agent_id' and source = 'ferrawin'),
  'the schedule moves to its next due time');

select * from finish();
rollback;
