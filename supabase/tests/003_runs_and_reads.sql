-- A run's lifecycle (progress, pause, resume, stall, finish) and the web's read RPCs.
begin;
select * from no_plan();
\ir _setup.psql

set local role service_role;
select public.open_run(:'agent_key', '{"source":"ferrawin","params":{"mode":"year","year":2026},"total":10}') as opened \gset
select is((:'opened'::jsonb) - 'id' - 'agentId' - 'createdAt' - 'startedAt' - 'updatedAt',
  '{"mode":"year","done":0,"error":null,"total":10,"counts":{},"cursor":null,"params":{"mode":"year","year":2026},
    "source":"ferrawin","status":"running","lastItem":null,"ratePerS":null,"commandId":null,"scheduled":false,
    "finishedAt":null,"lastSeq":null}'::jsonb, 'open_run returns a RunSummary (lastSeq null before any batch)');
select (:'opened'::jsonb) ->> 'id' as run_id \gset
select is(public.report_progress(:'agent_key', :'run_id', '{"status":"running","done":4,"total":10,
    "cursor":{"source":"ferrawin","lastCode":"2026-000004"},"ratePerS":2.5,"lastItem":{"code":"2026-000004","cliente":null,"obra":null},
    "counts":{"planillas":{"created":4}},"events":[{"level":"info","message":"hola","at":"2026-11-23T09:00:00.000Z"}]}')
    - 'id' - 'agentId' - 'createdAt' - 'startedAt' - 'updatedAt' - 'params' - 'mode' - 'source' - 'commandId' - 'scheduled' - 'finishedAt' - 'error',
  '{"done":4,"total":10,"status":"running","counts":{"planillas":{"created":4}},"cursor":{"source":"ferrawin","lastCode":"2026-000004"},
    "ratePerS":2.5,"lastItem":{"code":"2026-000004","obra":null,"cliente":null}}'::jsonb,
  'report_progress stores done, cursor, rate, last item and the reported counts');
select is(public.report_progress(:'agent_key', :'run_id', '{"status":"paused","done":4}') ->> 'status', 'paused', 'progress can pause the run');
select throws_ok(format('select public.report_progress(%L, %L, %L)', :'other_agent_key', :'run_id', '{"done":1}'),
  'PT404', null, 'another agent''s run is PT404');
select is(public.open_run(:'agent_key', jsonb_build_object('source', 'ferrawin', 'params', '{"mode":"all"}'::jsonb,
  'resumeRunId', :'run_id')) -> 'cursor' ->> 'lastCode', '2026-000004', 'resumeRunId reopens the run with its cursor');
reset role;
insert into public.ingest_batches (run_id, seq, result) values (:'run_id', 3, '{}'), (:'run_id', 7, '{}');
set local role service_role;
select is((public.open_run(:'agent_key', jsonb_build_object('source', 'ferrawin', 'resumeRunId', :'run_id'))
  ->> 'lastSeq')::integer, 7, 'a reopened run needs no params and answers its highest stored batch seq');
reset role;

-- Stalled: no report for 2 minutes; a report brings it back.
update public.runs set updated_at = now() - interval '3 minutes' where id = :'run_id';
set local role service_role;
select is(public.mark_stalled_runs(), 1, 'mark_stalled_runs marks the silent run');
reset role;
select is((select status from public.runs where id = :'run_id'), 'stalled', 'the run is stalled');
set local role service_role;
select is(public.report_progress(:'agent_key', :'run_id', '{"done":5}') ->> 'status', 'running', 'a stalled run that reports runs again');
select is(public.agent_heartbeat(:'agent_key', '{"version":"1.2.3","hostname":"oficina-pc"}') - 'lastSeenAt',
  jsonb_build_object('agentId', :'agent_id', 'name', 'Oficina', 'version', '1.2.3', 'hostname', 'oficina-pc'),
  'agent_heartbeat stores version and hostname');

-- Finish.
select throws_ok(format('select public.finish_run(%L, %L, %L)', :'agent_key', :'run_id', '{"status":"failed","done":5}'),
  'PT422', null, 'a failed finish without an error is PT422');
select is(public.finish_run(:'agent_key', :'run_id', '{"status":"completed","done":10,"events":[{"level":"info","message":"fin","at":"2026-11-23T09:01:00.000Z"}]}') ->> 'status',
  'completed', 'finish_run completes the run');
select is(public.finish_run(:'agent_key', :'run_id', '{"status":"completed","done":10}') ->> 'status', 'completed',
  'finishing again with the same status is a no-op');
select throws_ok(format('select public.finish_run(%L, %L, %L)', :'agent_key', :'run_id', '{"status":"cancelled","done":1}'),
  'PT409', null, 'finishing with another status is PT409');
select throws_ok(format('select public.report_progress(%L, %L, %L)', :'agent_key', :'run_id', '{"done":1}'),
  'PT409', null, 'progress on a finished run is PT409');
reset role;
insert into public.run_rejects (run_id, record_key, reason, detail, payload)
values (:'run_id', '2026-000009', 'missing_obra', 'obra 5', '{"fingerprint":"f"}');
insert into public.obras (codigo) values ('1');
insert into public.planillas (codigo, zconta, obra_codigo, fingerprint)
select '2026-00000' || i, 2026, '1', 'f' from generate_series(1, 3) as i;

-- Reads.
set local role authenticated;
set local request.jwt.claims = :'staff';
select is(public.year_status(2026), '{"year":2026,"synced":3,"lastCode":"2026-000003"}'::jsonb, 'year_status counts a year');
select is(jsonb_array_length(public.list_runs()), 1, 'list_runs lists runs');
select is(jsonb_array_length(public.list_runs(p_source => 'wispro')), 0, 'list_runs filters by source');
select is(public.list_runs(p_status => 'completed') -> 0 ->> 'id', :'run_id', 'list_runs filters by status');
select is(public.run_detail(:'run_id') -> 'events' -> 0 ->> 'message', 'hola', 'run_detail has the log');
select is(public.run_detail(:'run_id') -> 'rejects' -> 0 -> 'payload', 'null'::jsonb, 'staff do not see reject payloads');
select throws_ok(format('select public.run_detail(%L)', gen_random_uuid()), 'PT404', null, 'an unknown run is PT404');
select is(jsonb_object_keys_sorted, array['activeRuns', 'agents', 'schedules', 'totals', 'years'], 'sync_overview has its sections')
from (select array_agg(k order by k) as jsonb_object_keys_sorted from jsonb_object_keys(public.sync_overview()) as k) as s;
select is((public.sync_overview() -> 'agents' -> 0) - 'id' - 'lastSeenAt',
  '{"name":"Oficina","hostname":"oficina-pc","version":"1.2.3","revoked":false,"protocolSeen":null,"protocolNeeded":null,"outdatedAt":null}'::jsonb,
  'sync_overview lists agents without keys');
set local request.jwt.claims = :'admin';
select is(public.run_detail(:'run_id') -> 'rejects' -> 0 -> 'payload', '{"fingerprint":"f"}'::jsonb, 'admins see reject payloads');
reset role;

select * from finish();
rollback;
