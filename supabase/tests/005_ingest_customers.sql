-- ingest_customers: create, update, unchanged, re-created person, ambiguous matches, id number kept.
begin;
select * from no_plan();
\ir _setup.psql

create function pg_temp.customer(p_wid text, p_id_number text, p_name text default 'Ana') returns jsonb
language sql as $$
  select jsonb_build_object('wispro_id', p_wid, 'public_id', 1, 'custom_id', null, 'name', p_name,
    'email', null, 'phone', null, 'phone_mobile', null, 'national_id_raw', p_id_number, 'id_number', p_id_number,
    'zone', 'Centro', 'address', null, 'city', null, 'details', null, 'wispro_created_at', null,
    'wispro_updated_at', null)
$$;
create function pg_temp.batch(p_seq int, variadic p_customers jsonb[]) returns jsonb language sql as $$
  select jsonb_build_object('v', 1, 'kind', 'customers', 'seq', p_seq, 'rejects', '[]'::jsonb,
    'customers', to_jsonb(p_customers))
$$;
grant execute on all functions in schema pg_temp to public;

set local role service_role;
select public.open_run(:'agent_key', '{"source":"wispro","params":{"mode":"full"}}') ->> 'id' as run1 \gset
select is(public.ingest_customers(:'agent_key', :'run1', 0, pg_temp.batch(0,
    pg_temp.customer('a0000000-0000-4000-8000-000000000001', 'V-1'),
    pg_temp.customer('a0000000-0000-4000-8000-000000000002', 'V-2'))) -> 'counts',
  '{"customers":{"created":2,"updated":0,"unchanged":0,"deleted":0,"rejected":0}}'::jsonb, 'new customers are created');
select is(public.ingest_customers(:'agent_key', :'run1', 1, pg_temp.batch(1,
    pg_temp.customer('a0000000-0000-4000-8000-000000000001', 'V-1', 'Ana María'),
    pg_temp.customer('a0000000-0000-4000-8000-000000000002', 'V-2'))) -> 'counts',
  '{"customers":{"created":0,"updated":1,"unchanged":1,"deleted":0,"rejected":0}}'::jsonb,
  'a changed customer is updated and an unchanged one counted unchanged');
-- Matched by wispro_id with another id number: updated, id number kept.
select is(public.ingest_customers(:'agent_key', :'run1', 2, pg_temp.batch(2,
    pg_temp.customer('a0000000-0000-4000-8000-000000000002', 'V-22', 'Beto'))) -> 'counts' -> 'customers' ->> 'updated',
  '1', 'a customer matched by wispro_id is updated');
-- Matched by wispro_id to one row and by id number to another.
select public.ingest_customers(:'agent_key', :'run1', 3, pg_temp.batch(3,
    pg_temp.customer('a0000000-0000-4000-8000-000000000001', 'V-2'),
    pg_temp.customer('a0000000-0000-4000-8000-000000000007', 'V-7'),
    pg_temp.customer('a0000000-0000-4000-8000-000000000008', 'V-7'),
    jsonb_set(pg_temp.customer('a0000000-0000-4000-8000-000000000010', 'V-10'), '{id_number}', 'null'))) as r3 \gset
select is(public.ingest_customers(:'agent_key', :'run1', 4, pg_temp.batch(4,
    pg_temp.customer('a0000000-0000-4000-8000-000000000009', 'V-2'))) -> 'rejects',
  '[{"reason":"ambiguous_match","record_key":"a0000000-0000-4000-8000-000000000009"}]'::jsonb,
  'an id number whose customer another Wispro client updated in this run is ambiguous');
reset role;
select is((select id_number from public.customers where wispro_id = 'a0000000-0000-4000-8000-000000000002'), 'V-2',
  'an update never changes the id number');
select is((select jsonb_agg(r order by r ->> 'record_key') from jsonb_array_elements((:'r3'::jsonb) -> 'rejects') as r),
  '[{"reason":"ambiguous_match","record_key":"a0000000-0000-4000-8000-000000000001"},
    {"reason":"ambiguous_match","record_key":"a0000000-0000-4000-8000-000000000007"},
    {"reason":"ambiguous_match","record_key":"a0000000-0000-4000-8000-000000000008"},
    {"reason":"missing_id_number","record_key":"a0000000-0000-4000-8000-000000000010"}]'::jsonb,
  'two local matches, a repeated id number and no id number are rejected');
select is((select count(*)::int from public.customers), 2, 'no rejected record was stored');
select is((select payload ->> 'rejectDetail' from public.run_rejects where record_key = 'a0000000-0000-4000-8000-000000000001'),
  'wispro_id matches one customer and the id number another', 'the reject payload (admins only) says why');
select is((select count(*)::int from public.run_rejects where payload ->> 'wispro_id' = 'a0000000-0000-4000-8000-000000000001'),
  1, 'the reject keeps the record as payload');

-- A person re-created in Wispro (new wispro_id, same id number), seen in a later run.
set local role service_role;
select public.finish_run(:'agent_key', :'run1', '{"status":"completed","done":2}') is not null as f \gset
select public.open_run(:'agent_key', '{"source":"wispro","params":{"mode":"full"}}') ->> 'id' as run2 \gset
select is(public.ingest_customers(:'agent_key', :'run2', 0, pg_temp.batch(0,
    pg_temp.customer('b0000000-0000-4000-8000-000000000001', 'V-1', 'Ana María'))) -> 'counts' -> 'customers',
  '{"created":0,"updated":1,"unchanged":0,"deleted":0,"rejected":0}'::jsonb, 'a re-created person updates the existing row');
select is(public.ingest_customers(:'agent_key', :'run2', 1, pg_temp.batch(1,
    pg_temp.customer('a0000000-0000-4000-8000-000000000001', 'V-1', 'Ana María'))) -> 'rejects' -> 0 ->> 'reason',
  'ambiguous_match', 'the old wispro_id coming back in the same run is ambiguous, not a ping-pong');
reset role;
select is((select wispro_id::text from public.customers where id_number = 'V-1'), 'b0000000-0000-4000-8000-000000000001',
  'the existing row takes the new wispro_id');
select is((select count(*)::int from public.customers), 2, 'no second row for the same person');

select * from finish();
rollback;
