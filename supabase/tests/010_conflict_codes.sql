-- Each conflict (PT409) names itself in DETAIL, the code PostgREST passes on as `details` and the edge
-- copies into its envelope (20261205000500_conflict_codes.sql). Clients switch on these codes, never on
-- the words, so each situation is raised here for real and its code checked; all but batch_conflict
-- (two batches racing on one planilla, which needs two sessions).
begin;
select * from no_plan();
\ir _setup.psql

-- The SQLSTATE and DETAIL a statement raises, as `PT409 run_active`; `none` when it succeeds.
create function pg_temp.conflict_of(p_sql text) returns text
language plpgsql as $$
declare
  v_state text;
  v_detail text;
begin
  execute p_sql;
  return 'none';
exception when others then
  get stacked diagnostics v_state = returned_sqlstate, v_detail = pg_exception_detail;
  return v_state || ' ' || coalesce(nullif(v_detail, ''), '(no detail)');
end
$$;
grant execute on function pg_temp.conflict_of(text) to public;

set local role service_role;
select public.open_run(:'agent_key', '{"source":"ferrawin","params":{"mode":"all"}}') ->> 'id' as run_id \gset
select is(pg_temp.conflict_of(format('select public.open_run(%L, %L)', :'agent_key',
  '{"source":"ferrawin","params":{"mode":"all"}}')), 'PT409 run_active',
  'a second run of the same agent and source is run_active');
select public.ingest_planillas(:'agent_key', :'run_id', 0, '{"planillas":[]}');
select public.finish_run(:'agent_key', :'run_id', '{"status":"cancelled"}');
select is(pg_temp.conflict_of(format('select public.ingest_planillas(%L, %L, 1, %L)', :'agent_key',
  :'run_id', '{"planillas":[]}')), 'PT409 run_not_running', 'a batch for a cancelled run is run_not_running');
select is(pg_temp.conflict_of(format('select public.ingest_planillas(%L, %L, 0, %L)', :'agent_key',
  :'run_id', '{"planillas":[]}')), 'none', 'a replayed batch of a cancelled run still answers its first result');
select is(pg_temp.conflict_of(format('select public.report_progress(%L, %L, %L)', :'agent_key',
  :'run_id', '{"status":"running"}')), 'PT409 run_not_running', 'progress for a cancelled run is run_not_running');
select is(pg_temp.conflict_of(format('select public.finish_run(%L, %L, %L)', :'agent_key', :'run_id',
  '{"status":"completed"}')), 'PT409 run_not_running', 'finishing a cancelled run otherwise is run_not_running');
select is(pg_temp.conflict_of(format('select public.open_run(%L, %L)', :'agent_key',
  jsonb_build_object('source', 'ferrawin', 'resumeRunId', :'run_id'))), 'PT409 run_not_resumable',
  'resuming a cancelled run is run_not_resumable');
select is(pg_temp.conflict_of(format('select public.claim_portal_accounts(%L, %L, %L)', :'agent_key',
  :'run_id', '[]')), 'PT409 run_not_wispro', 'portal accounts of a FerraWin run is run_not_wispro');

-- A Wispro run paused: its batches are refused with run_not_running too (ingest_customers).
select public.open_run(:'agent_key', '{"source":"wispro","params":{"mode":"full"}}') ->> 'id' as wispro_run \gset
select public.report_progress(:'agent_key', :'wispro_run', '{"status":"paused"}');
select is(pg_temp.conflict_of(format('select public.ingest_customers(%L, %L, 0, %L)', :'agent_key',
  :'wispro_run', '{"customers":[]}')), 'PT409 run_not_running', 'a batch for a paused run is run_not_running');
reset role;

-- Commands: a start while one waits, a reused requestId, a command's run that ended or is under way.
set local role authenticated;
set local request.jwt.claims = :'admin';
select public.enqueue_command('40000000-0000-4000-8000-000000000001', :'agent_id', 'ferrawin', 'start',
  '{"mode":"all"}') ->> 'commandId' as command_id \gset
select is(pg_temp.conflict_of(format('select public.enqueue_command(%L, %L, %L, %L, %L)',
  '40000000-0000-4000-8000-000000000002', :'agent_id', 'ferrawin', 'start', '{"mode":"all"}')),
  'PT409 sync_already_active', 'a second start while one waits is sync_already_active');
select is(pg_temp.conflict_of(format('select public.enqueue_command(%L, %L, %L, %L, %L)',
  '40000000-0000-4000-8000-000000000001', :'agent_id', 'wispro', 'start', '{"mode":"full"}')),
  'PT409 request_id_reused', 'a requestId used for another command is request_id_reused');
reset role;
reset request.jwt.claims;

set local role service_role;
select is(pg_temp.conflict_of(format('select public.reject_command(%L, %L, %L)', :'agent_key',
  :'command_id', 'cannot')), 'PT409 command_not_claimed', 'rejecting a pending command is command_not_claimed');
select public.claim_commands(:'agent_key');
select public.open_run(:'agent_key', jsonb_build_object('commandId', :'command_id', 'source', 'ferrawin',
  'params', '{"mode":"all"}'::jsonb)) ->> 'id' as command_run \gset
select public.ingest_planillas(:'agent_key', :'command_run', 0, '{"planillas":[]}');
select is(pg_temp.conflict_of(format('select public.open_run(%L, %L)', :'agent_key',
  jsonb_build_object('commandId', :'command_id', 'source', 'ferrawin', 'params', '{"mode":"all"}'::jsonb))),
  'PT409 command_run_under_way', 'opening a command whose run took batches is command_run_under_way');
select public.finish_run(:'agent_key', :'command_run', '{"status":"completed"}');
select is(pg_temp.conflict_of(format('select public.open_run(%L, %L)', :'agent_key',
  jsonb_build_object('commandId', :'command_id', 'source', 'ferrawin', 'params', '{"mode":"all"}'::jsonb))),
  'PT409 command_already_ran', 'opening a command whose run ended is command_already_ran');
reset role;

select * from finish();
rollback;
