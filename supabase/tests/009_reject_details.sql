-- Staff-visible reject fields never carry personal data (issue 20, finding 2): whatever detail and
-- record key the agent sends for a Wispro reject, staff read the Wispro id and a fixed sentence; the
-- agent's text moves into the admin-only payload. FerraWin rejects keep their detail.
begin;
select * from no_plan();
\ir _setup.psql

set local role service_role;
select public.open_run(:'agent_key', '{"source":"wispro","params":{"mode":"full"}}') ->> 'id' as run1 \gset
select public.ingest_customers(:'agent_key', :'run1', 0, jsonb_build_object('v', 1, 'kind', 'customers',
  'seq', 0, 'customers', '[]'::jsonb, 'rejects', jsonb_build_array(
    jsonb_build_object('record_key', 'a0000000-0000-4000-8000-000000000001', 'reason', 'ambiguous_match',
      'detail', 'the id number V-1740793 is on 2 Wispro clients', 'payload', jsonb_build_object('email', 'ana@example.com')),
    jsonb_build_object('record_key', 'ceo@victim-company.example', 'reason', 'invalid_record',
      'detail', 'national_identification_number "V-31337000" phone 0414-5551234', 'payload', '"raw"'::jsonb))));
reset role;

select is((select count(*)::int from public.run_rejects where run_id = :'run1'), 2, 'both rejects are stored');
select is((select count(*)::int from public.run_rejects where run_id = :'run1'
    and (detail ~ '\d{5}' or detail ~ '@' or record_key ~ '@')), 0,
  'no id number, phone or email in detail or record_key');
select is((select record_key from public.run_rejects where run_id = :'run1' and reason = 'invalid_record'),
  '(no Wispro id)', 'a record key that is no Wispro id is replaced');
select is((select payload ->> 'rejectDetail' from public.run_rejects where run_id = :'run1' and reason = 'ambiguous_match'),
  'the id number V-1740793 is on 2 Wispro clients', 'the agent''s detail is kept in the admin-only payload');
select is((select payload ->> 'email' from public.run_rejects where run_id = :'run1' and reason = 'ambiguous_match'),
  'ana@example.com', 'the record itself stays in the payload');
select is((select payload -> 'record' from public.run_rejects where run_id = :'run1' and reason = 'invalid_record'),
  '"raw"'::jsonb, 'a payload that is no object is kept under record');
select is((select payload ->> 'rejectRecordKey' from public.run_rejects where run_id = :'run1' and reason = 'invalid_record'),
  'ceo@victim-company.example', 'the original key too');

-- Staff read details through run_detail: none carries the digits or the email.
set local role authenticated;
set local request.jwt.claims = :'staff';
select ok(public.run_detail(:'run1')::text !~ '1740793|31337000|@|5551234', 'run_detail shows staff no personal data');
reset role;

-- FerraWin rejects keep the agent's detail (planilla codes are no personal data).
set local role service_role;
select public.open_run(:'agent_key', '{"source":"ferrawin","params":{"mode":"all"}}') ->> 'id' as run2 \gset
reset role;
insert into public.run_rejects (run_id, record_key, reason, detail) values (:'run2', '2026-000001', 'missing_obra', 'obra 12 not found');
select is((select detail from public.run_rejects where run_id = :'run2'), 'obra 12 not found', 'FerraWin details are kept');

select * from finish();
rollback;
