-- Who may ask for what, enforced by the database itself (issue 20, finding 3): the edge's rules hold
-- when the RPC is called directly, params are checked as the protocol checks them, and the agent can
-- reject a command it cannot carry out, once.
begin;
select * from no_plan();
\ir _setup.psql

-- The rule rows: the same 15 as protocol/src/command-rules.ts (tests/security/command-rules compares them).
select is((select count(*)::int from public.command_rules), 15, 'command_rules holds 15 allowed rows');
select is((select count(*)::int from public.command_rules where role = 'staff'), 4, 'staff has 4 of them');

set local role authenticated;
set local request.jwt.claims = :'staff';
select throws_ok(format('select public.enqueue_command(gen_random_uuid(), %L, %L, %L, %L)', :'agent_id',
  'wispro', 'pause', '{}'), 'PT403', 'a staff may not pause wispro syncs',
  'staff cannot pause Wispro through the RPC either');
select throws_ok(format('select public.enqueue_command(gen_random_uuid(), %L, %L, %L, %L)', :'agent_id',
  'wispro', 'resume', '{}'), 'PT403', null, 'staff cannot resume Wispro');
select throws_ok(format('select public.enqueue_command(gen_random_uuid(), %L, %L, %L, %L)', :'agent_id',
  'ferrawin', 'cancel', '{}'), 'PT403', null, 'staff cannot cancel');
select throws_ok(format('select public.enqueue_command(gen_random_uuid(), %L, %L, %L, %L)', :'agent_id',
  'ferrawin', 'start', '{"mode":"year","year":2025}'), 'PT403', null, 'staff cannot start a year');
select throws_ok(format('select public.enqueue_command(gen_random_uuid(), %L, %L, %L, %L)', :'agent_id',
  'ferrawin', 'start', '{"mode":"one","code":"no-such-code"}'), 'PT422',
  'params.code must be a planilla code like 2026-000886', 'a start with an unreadable code is PT422');
select throws_ok(format('select public.enqueue_command(gen_random_uuid(), %L, %L, %L, %L)', :'agent_id',
  'ferrawin', 'start', '{"mode":"incremental","x":1}'), 'PT422', null, 'unknown params are PT422');
select throws_ok(format('select public.enqueue_command(gen_random_uuid(), %L, %L, %L, %L)', :'agent_id',
  'ferrawin', 'pause', '{"runId":"nope"}'), 'PT422', null, 'a runId that is no uuid is PT422');
reset role;
select is((select count(*)::int from public.commands), 0, 'none of the refused commands was stored');
set local role authenticated;
set local request.jwt.claims = :'staff';
reset role;

set local role authenticated;
set local request.jwt.claims = :'admin';
select throws_ok(format('select public.enqueue_command(gen_random_uuid(), %L, %L, %L, %L)', :'agent_id',
  'ferrawin', 'start', '{"mode":"one","code":"2026-886"}'), 'PT422', null,
  'the database takes stored codes only (the edge pads them)');
select throws_ok(format('select public.enqueue_command(gen_random_uuid(), %L, %L, %L, %L)', :'agent_id',
  'ferrawin', 'start', '{"mode":"year","year":1999}'), 'PT422', null, 'a year before 2000 is PT422');
select throws_ok(format('select public.enqueue_command(gen_random_uuid(), %L, %L, %L, %L)', :'agent_id',
  'wispro', 'start', '{"mode":"all"}'), 'PT422', null, 'wispro takes mode full only');
select is(public.enqueue_command('30000000-0000-4000-8000-000000000001', :'agent_id', 'ferrawin', 'start',
  '{"mode":"year","year":2025,"fromCode":"2025-000100"}') ->> 'status', 'pending', 'admin starts a year');
select is(public.enqueue_command('30000000-0000-4000-8000-000000000002', :'agent_id', 'wispro', 'pause',
  '{}') ->> 'status', 'pending', 'admin pauses Wispro');
reset role;

-- A stored command the agent cannot carry out (one from before these rules): rejected once.
insert into public.commands (id, request_id, agent_id, source, action, params, status, claimed_at)
values ('40000000-0000-4000-8000-000000000001', gen_random_uuid(), :'agent_id', 'ferrawin', 'start',
  '{"mode":"one","code":"no-such-code"}', 'claimed', now() - interval '5 minutes');
set local role service_role;
select throws_ok(format('select public.reject_command(%L, %L, %L)', 'pk_' || repeat('0', 64),
  '40000000-0000-4000-8000-000000000001', 'x'), 'PT401', null, 'an unknown key cannot reject');
select throws_ok(format('select public.reject_command(%L, %L, %L)', :'agent_key',
  '40000000-0000-4000-8000-000000000001', ' '), 'PT422', null, 'a reason is required');
select is(public.reject_command(:'agent_key', '40000000-0000-4000-8000-000000000001',
  'invalid planilla code') - 'commandId',
  '{"v":1,"status":"rejected","reason":"invalid planilla code"}'::jsonb, 'the agent rejects it with its reason');
select is(public.reject_command(:'agent_key', '40000000-0000-4000-8000-000000000001', 'again') ->> 'reason',
  'invalid planilla code', 'a second reject answers the first');
select is(public.claim_commands(:'agent_key') -> 'commands' @> '[{"id":"40000000-0000-4000-8000-000000000001"}]',
  false, 'a rejected start is never delivered again');
select throws_ok(format('select public.reject_command(%L, %L, %L)', :'agent_key', gen_random_uuid(), 'x'),
  'PT404', null, 'an unknown command is PT404');
reset role;

set local role authenticated;
set local request.jwt.claims = :'admin';
select throws_ok(format('select public.reject_command(%L, %L, %L)', :'agent_key',
  '40000000-0000-4000-8000-000000000001', 'x'), '42501', null, 'people cannot call reject_command');
reset role;

select * from finish();
rollback;
