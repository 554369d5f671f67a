-- Portal accounts: only customers a run created, with an email, are claimed; claims are idempotent;
-- settling is once; other agents and people cannot touch them; a `customer` role reads nothing.
begin;
select * from no_plan();
\ir _setup.psql

create function pg_temp.customer(p_wid text, p_id_number text, p_email text, p_public_id int) returns jsonb
language sql as $$
  select jsonb_build_object('wispro_id', p_wid, 'public_id', p_public_id, 'custom_id', null, 'name', 'Ana',
    'email', p_email, 'phone', null, 'phone_mobile', null, 'national_id_raw', p_id_number,
    'id_number', p_id_number, 'zone', null, 'address', null, 'city', null, 'details', null,
    'wispro_created_at', null, 'wispro_updated_at', null)
$$;
create function pg_temp.batch(p_seq int, variadic p_customers jsonb[]) returns jsonb language sql as $$
  select jsonb_build_object('v', 1, 'kind', 'customers', 'seq', p_seq, 'rejects', '[]'::jsonb,
    'customers', to_jsonb(p_customers))
$$;
grant execute on all functions in schema pg_temp to public;

set local role service_role;
-- Run 1 creates an old customer; run 2 sees it again and creates four new ones.
select public.open_run(:'agent_key', '{"source":"wispro","params":{"mode":"full"}}') ->> 'id' as run1 \gset
select public.ingest_customers(:'agent_key', :'run1', 0, pg_temp.batch(0,
  pg_temp.customer('c0000000-0000-4000-8000-000000000001', 'V-1000001', 'old@example.com', 1))) is not null as x \gset
select public.finish_run(:'agent_key', :'run1', '{"status":"completed","done":1}') is not null as x \gset
select public.open_run(:'agent_key', '{"source":"wispro","params":{"mode":"full"}}') ->> 'id' as run2 \gset
select public.ingest_customers(:'agent_key', :'run2', 0, pg_temp.batch(0,
  pg_temp.customer('c0000000-0000-4000-8000-000000000001', 'V-1000001', 'old@example.com', 1),
  pg_temp.customer('c0000000-0000-4000-8000-000000000002', 'V-2000002', ' Ana@Example.com ', 2),
  pg_temp.customer('c0000000-0000-4000-8000-000000000003', 'E-3000003', 'FAMILIA@example.com', 3),
  pg_temp.customer('c0000000-0000-4000-8000-000000000004', 'V-4000004', 'familia@example.com', 4),
  pg_temp.customer('c0000000-0000-4000-8000-000000000005', 'V-5000005', null, 5))) is not null as x \gset
reset role;

select is((select first_run_id::text from public.customers where public_id = 1), :'run1',
  'first_run_id is the run that inserted the customer');
select is((select first_run_id::text from public.customers where public_id = 2), :'run2',
  'and stays as it was when a later run updates or sees it');

set local role service_role;
select public.claim_portal_accounts(:'agent_key', :'run2', jsonb_build_array(
  'c0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002',
  'c0000000-0000-4000-8000-000000000003', 'c0000000-0000-4000-8000-000000000004',
  'c0000000-0000-4000-8000-000000000005')) as claimed \gset
reset role;
select is((select jsonb_agg(jsonb_build_object('email', c ->> 'email', 'publicId',
      (select public_id from public.customers where id = (c ->> 'customerId')::uuid)))
    from jsonb_array_elements(:'claimed'::jsonb) as c),
  '[{"email":"ana@example.com","publicId":2},
    {"email":"familia@example.com","publicId":3},
    {"email":"familia@example.com","publicId":4}]'::jsonb,
  'only customers this run created, with an email, are claimed, lower-cased, in public_id order');
select is((select count(*)::int from jsonb_array_elements(:'claimed'::jsonb) as c
    where c ? 'idNumber' or c::text ~ '2000002|3000003|4000004'), 0,
  'the claim hands out no id number (nothing derives a password from it)');
set local role service_role;
select is(jsonb_array_length(public.claim_portal_accounts(:'agent_key', :'run2', jsonb_build_array(
    'c0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000003',
    'c0000000-0000-4000-8000-000000000004'))), 3,
  'claiming again (a replayed batch) answers the same pending accounts');
reset role;
select is((select count(*)::int from public.portal_accounts), 3, 'and records no second row');

set local role service_role;
select throws_ok(
  format('select public.claim_portal_accounts(%L, %L, ''[]''::jsonb)', :'other_agent_key', :'run2'),
  'PT404', 'run not found for this agent', 'another agent cannot claim for this run');
select throws_ok(
  format('select public.settle_portal_accounts(%L, %L, %L)', :'agent_key', :'run2',
    '[{"customer_id":"c0000000-0000-4000-8000-000000000002","status":"done"}]'),
  'PT422', null, 'an unknown outcome status is refused');

select public.claim_portal_accounts(:'agent_key', :'run2', '[]'::jsonb) is not null as x \gset
select (c ->> 'customerId') as ana from jsonb_array_elements(:'claimed'::jsonb) with ordinality as t(c, n)
  where n = 1 \gset
select (c ->> 'customerId') as fam3 from jsonb_array_elements(:'claimed'::jsonb) with ordinality as t(c, n)
  where n = 2 \gset
select (c ->> 'customerId') as fam4 from jsonb_array_elements(:'claimed'::jsonb) with ordinality as t(c, n)
  where n = 3 \gset
select is(public.settle_portal_accounts(:'agent_key', :'run2', jsonb_build_array(
    jsonb_build_object('customer_id', :'ana', 'status', 'invited',
      'user_id', '00000000-0000-4000-8000-0000000000a1'),
    jsonb_build_object('customer_id', :'fam3', 'status', 'pending', 'detail', 'invite not sent',
      'user_id', '00000000-0000-4000-8000-0000000000a3'),
    jsonb_build_object('customer_id', :'fam4', 'status', 'shared_email'))),
  '{"invited":1,"emailTaken":0,"sharedEmail":1,"refused":0,"pending":1}'::jsonb,
  'settling answers the counts');
select is(jsonb_agg(jsonb_build_object('customerId', c ->> 'customerId', 'authUserId', c ->> 'authUserId')),
  jsonb_build_array(jsonb_build_object('customerId', :'fam3', 'authUserId', '00000000-0000-4000-8000-0000000000a3')),
  'an account left pending is claimed again, with the Auth user already made; settled ones are not')
  from jsonb_array_elements(public.claim_portal_accounts(:'agent_key', :'run2', jsonb_build_array(
    'c0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000003',
    'c0000000-0000-4000-8000-000000000004'))) as c;
select public.settle_portal_accounts(:'agent_key', :'run2', jsonb_build_array(
    jsonb_build_object('customer_id', :'ana', 'status', 'refused', 'detail', 'late'))) is not null as x \gset
reset role;
select is((select status || '/' || auth_user_id from public.portal_accounts where customer_id = :'ana'),
  'invited/00000000-0000-4000-8000-0000000000a1', 'a settled account is never settled again');
select is((select message from public.run_events where run_id = :'run2' and message like 'portal accounts:%'
    order by id limit 1),
  'portal accounts: 1 invited by email, 1 skipped (email shared with another new customer), 1 left pending (Auth unreachable; retried on the next sync)',
  'the run''s log says what happened to the accounts');
select is((select level from public.run_events where run_id = :'run2' and message like 'portal accounts:%'
    order by id limit 1), 'warn', 'a pending account makes the line a warning');

-- Reads: admins only; staff and a portal customer see nothing, and a customer runs no user RPC.
set local role authenticated;
set local request.jwt.claims = :'admin';
select is((select count(*)::int from public.portal_accounts), 3, 'an admin reads portal accounts');
set local request.jwt.claims = :'staff';
select is((select count(*)::int from public.portal_accounts), 0, 'staff read no portal accounts');
set local request.jwt.claims = '{"sub":"00000000-0000-4000-8000-0000000000a1","role":"authenticated","app_metadata":{"role":"customer","must_change_password":true}}';
select is((select count(*)::int from public.portal_accounts), 0, 'a customer reads no portal accounts');
select is((select count(*)::int from public.customers), 0, 'a customer reads no customers, not even itself');
select is((select count(*)::int from public.runs), 0, 'a customer reads no runs');
select is((select count(*)::int from public.planillas), 0, 'a customer reads no planillas');
select throws_ok('select public.sync_overview()', 'PT403', null, 'a customer cannot read the sync overview');
select throws_ok('select public.list_runs()', 'PT403', null, 'a customer cannot list runs');
select throws_ok(format('select public.enqueue_command(%L, %L, %L, %L, %L)', gen_random_uuid(), :'agent_id',
    'wispro', 'start', '{"mode":"full"}'), 'PT403', null, 'a customer cannot start a sync');
select throws_ok(format('select public.claim_portal_accounts(%L, %L, ''[]''::jsonb)', :'agent_key', :'run2'),
  '42501', null, 'a signed-in person cannot call the agent RPCs');
reset role;

-- The old outcome `created` (a password set by Puente) is no longer accepted.
set local role service_role;
select throws_ok(format('select public.settle_portal_accounts(%L, %L, %L)', :'agent_key', :'run2',
    jsonb_build_array(jsonb_build_object('customer_id', :'fam3', 'status', 'created'))),
  'PT422', null, 'the edge can no longer settle an account as created with a password');
reset role;

-- A customer account can never be given a Puente role, however its app_metadata is edited.
insert into auth.users (id, email, raw_app_meta_data) values
  ('00000000-0000-4000-8000-0000000000c1', 'cliente@example.com', '{"role":"customer","customer_id":"x"}'),
  ('00000000-0000-4000-8000-0000000000c2', 'otro@example.com', '{"customer_id":"y"}'),
  ('00000000-0000-4000-8000-0000000000c3', 'persona@example.com', '{}');
select throws_ok($$update auth.users set raw_app_meta_data = raw_app_meta_data || '{"role":"admin"}'
    where id = '00000000-0000-4000-8000-0000000000c1'$$, 'P0001',
  'the account cliente@example.com is a customer portal account: it cannot be given a Puente role (admin)',
  'a customer account cannot be made admin');
select throws_ok($$update auth.users set raw_app_meta_data = raw_app_meta_data || '{"role":"staff"}'
    where id = '00000000-0000-4000-8000-0000000000c2'$$, 'P0001', null,
  'an account Puente opened for a customer cannot be made staff either');
select lives_ok($$update auth.users set raw_app_meta_data = raw_app_meta_data || '{"provider":"email"}'
    where id = '00000000-0000-4000-8000-0000000000c1'$$, 'other app_metadata edits still work');
select lives_ok($$update auth.users set raw_app_meta_data = '{"role":"staff"}'
    where id = '00000000-0000-4000-8000-0000000000c3'$$, 'a person''s own account still gets a role');

select * from finish();
rollback;
