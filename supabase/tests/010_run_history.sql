-- The history's extra columns: who asked for a run (the requester's email, kept on the command) and the
-- run's rejects grouped by reason; both only for admins and staff.
begin;
select * from no_plan();
\ir _setup.psql

-- An admin (with the email GoTrue puts in the JWT) asks for a sync; the agent's run follows the command.
set local role authenticated;
set local request.jwt.claims = '{"sub":"00000000-0000-4000-8000-00000000000a","role":"authenticated","email":"ana@example.com","app_metadata":{"role":"admin"}}';
select public.enqueue_command('30000000-0000-4000-8000-000000000001', :'agent_id', 'ferrawin', 'start',
  '{"mode":"incremental"}') ->> 'commandId' as command_id \gset
reset role;
reset request.jwt.claims;
select is((select requested_by from public.commands where id = :'command_id'), 'ana@example.com',
  'a command keeps the email of whoever sent it');

insert into public.runs (agent_id, command_id, source, mode, status, created_at)
values (:'agent_id', :'command_id', 'ferrawin', 'incremental', 'completed', now() - interval '2 minutes')
returning id as manual_run \gset
insert into public.runs (agent_id, source, mode, status, scheduled, created_at)
values (:'agent_id', 'ferrawin', 'incremental', 'completed', true, now() - interval '1 minute')
returning id as scheduled_run \gset
insert into public.run_rejects (run_id, record_key, reason)
values (:'manual_run', '2026-000001', 'missing_obra'), (:'manual_run', '2026-000002', 'missing_obra'),
  (:'manual_run', '2026-000003', 'invalid_record'), (:'scheduled_run', '2026-000004', 'blank_key');

-- Staff read both.
set local role authenticated;
set local request.jwt.claims = :'staff';
select is((select r ->> 'requestedBy' from jsonb_array_elements(public.list_runs()) r
    where r ->> 'id' = :'manual_run'), 'ana@example.com', 'list_runs says who asked for a manual run');
select is((select r -> 'requestedBy' from jsonb_array_elements(public.list_runs()) r
    where r ->> 'id' = :'scheduled_run'), 'null'::jsonb, 'a scheduled run has no requester');
select is((select r -> 'rejectsByReason' from jsonb_array_elements(public.list_runs()) r
    where r ->> 'id' = :'manual_run'), '{"missing_obra":2,"invalid_record":1}'::jsonb,
  'list_runs counts a run''s rejects by reason');
select is((select r -> 'rejectsByReason' from jsonb_array_elements(public.list_runs()) r
    where r ->> 'id' = :'scheduled_run'), '{"blank_key":1}'::jsonb, 'each run counts only its own rejects');

-- Without a Puente role: no list, and the helper answers nothing.
set local request.jwt.claims = :'norole';
select throws_ok('select public.list_runs()', 'PT403', null, 'a user without a role may not list runs');
select is(private.run_requested_by(:'command_id'), null, 'the requester helper answers nothing without a role');
select throws_ok(format('select requested_by from public.commands where id = %L', :'command_id'), '42501',
  null, 'web users still cannot read the commands table');
reset role;

select * from finish();
rollback;
