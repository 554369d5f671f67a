-- What the chaos suite found: a retried run open, a lost claim, a double-clicked start and a batch from
-- a frozen agent must not fail a sync or block the next one.
begin;
select * from no_plan();
\ir _setup.psql

-- A double-clicked start: the second call with the same request id is a duplicate, not a conflict
-- (the chaos suite sends the two at once; here they follow each other).
set local role authenticated;
set local request.jwt.claims = :'admin';
select public.enqueue_command('30000000-0000-4000-8000-000000000001', :'agent_id', 'ferrawin', 'start',
  '{"mode":"all"}') ->> 'commandId' as command_id \gset
select is(public.enqueue_command('30000000-0000-4000-8000-000000000001', :'agent_id', 'ferrawin', 'start',
  '{"mode":"all"}') ->> 'duplicate', 'true', 'the same start twice answers the duplicate');
reset role;
reset request.jwt.claims;

-- A lost claim: the start stays claimed without a run; after a minute the next claim delivers it again.
set local role service_role;
select is(jsonb_array_length(public.claim_commands(:'agent_key') -> 'commands'), 1, 'the start is claimed');
select is(jsonb_array_length(public.claim_commands(:'agent_key') -> 'commands'), 0,
  'a claimed start is not delivered twice at once');
reset role;
update public.commands set claimed_at = now() - interval '2 minutes' where id = :'command_id';
set local role service_role;
select is(public.claim_commands(:'agent_key') -> 'commands' -> 0 ->> 'id', :'command_id',
  'a start claimed a minute ago that never opened its run is delivered again');

-- A retried open of that command returns the run the first open made.
select public.open_run(:'agent_key', jsonb_build_object('commandId', :'command_id', 'source', 'ferrawin',
  'params', '{"mode":"all"}'::jsonb)) ->> 'id' as run_id \gset
select is(public.open_run(:'agent_key', jsonb_build_object('commandId', :'command_id', 'source', 'ferrawin',
  'params', '{"mode":"all"}'::jsonb)) ->> 'id', :'run_id', 'a retried open of the command returns its run');
select throws_ok(format('select public.open_run(%L, %L)', :'other_agent_key',
  jsonb_build_object('commandId', :'command_id', 'source', 'ferrawin', 'params', '{"mode":"all"}'::jsonb)),
  'PT404', null, 'another agent cannot open it');
reset role;
update public.commands set claimed_at = now() - interval '2 minutes' where id = :'command_id';
set local role service_role;
select is(jsonb_array_length(public.claim_commands(:'agent_key') -> 'commands'), 0,
  'a start whose run was opened is not delivered again');
select lives_ok(format('select public.ingest_planillas(%L, %L, 0, %L)', :'agent_key', :'run_id',
  '{"kind":"planillas","planillas":[]}'), 'the run takes its first batch');
select throws_ok(format('select public.open_run(%L, %L)', :'agent_key',
  jsonb_build_object('commandId', :'command_id', 'source', 'ferrawin', 'params', '{"mode":"all"}'::jsonb)),
  'PT409', null, 'a command whose run has taken batches is not opened again');
reset role;

-- A frozen agent: its run is stalled, and its next batch brings the run back.
update public.runs set updated_at = now() - interval '3 minutes' where id = :'run_id';
set local role service_role;
select is(public.mark_stalled_runs(), 1, 'the silent run is stalled');
select lives_ok(format('select public.ingest_planillas(%L, %L, 1, %L)', :'agent_key', :'run_id',
  '{"kind":"planillas","planillas":[]}'), 'a batch for the stalled run is taken');
reset role;
select is((select status from public.runs where id = :'run_id'), 'running', 'and the run is running again');
set local role service_role;
select is(public.finish_run(:'agent_key', :'run_id', '{"status":"completed","done":0}') ->> 'status',
  'completed', 'the run finishes');
select throws_ok(format('select public.open_run(%L, %L)', :'agent_key',
  jsonb_build_object('commandId', :'command_id', 'source', 'ferrawin', 'params', '{"mode":"all"}'::jsonb)),
  'PT409', null, 'a command that already ran is not opened again');
reset role;

-- A cancel from a process that did not stream the run: done is what the committed batches hold.
set local role service_role;
select public.open_run(:'agent_key', '{"source":"ferrawin","params":{"mode":"all"}}') ->> 'id' as cancel_run \gset
reset role;
update public.runs set total = 10, done = 2,
  counts = '{"planillas":{"created":3,"updated":1,"unchanged":2,"deleted":5,"rejected":1}}'
  where id = :'cancel_run';
set local role service_role;
select is((public.finish_run(:'agent_key', :'cancel_run', '{"status":"cancelled","done":2}') ->> 'done')::integer,
  7, 'a cancelled run counts as done the planillas its batches hold (deleted elementos aside)');
reset role;

select * from finish();
rollback;
