-- RLS and privilege matrix: anon, authenticated without a role, staff, admin, service_role and the
-- writer, for every table and every RPC.
begin;
select * from no_plan();
\ir _setup.psql

-- One row in every table, written as the migration owner.
insert into public.clientes (codigo, nombre) values ('7', 'Cliente');
insert into public.obras (codigo, nombre, cliente_codigo) values ('12', 'Obra', '7');
insert into public.planillas (codigo, zconta, obra_codigo, fingerprint) values ('2026-000001', 2026, '12', 'f');
insert into public.elementos (planilla_codigo, ferrawin_id, fila, diametro_mm) values ('2026-000001', '1-1', 1, 12);
insert into public.entidades (planilla_codigo, linea) values ('2026-000001', '1');
insert into public.customers (wispro_id, name, id_number) values (gen_random_uuid(), 'Ana', 'V-1');
insert into public.runs (id, agent_id, source, mode) values ('10000000-0000-4000-8000-000000000001', :'agent_id', 'ferrawin', 'all');
insert into public.planilla_changes (planilla_codigo, run_id, kind) values ('2026-000001', '10000000-0000-4000-8000-000000000001', 'created');
insert into public.run_events (run_id, level, message) values ('10000000-0000-4000-8000-000000000001', 'info', 'x');
insert into public.run_rejects (run_id, record_key, reason, payload) values ('10000000-0000-4000-8000-000000000001', 'k', 'missing_obra', '{"secret":1}');
insert into public.ingest_batches (run_id, seq, result) values ('10000000-0000-4000-8000-000000000001', 0, '{}');
insert into public.schedules (agent_id, source, interval_minutes) values (:'agent_id', 'ferrawin', 5);
insert into public.commands (request_id, agent_id, source, action) values (gen_random_uuid(), :'agent_id', 'ferrawin', 'pause');

create temp table all_tables (t text primary key, staff_reads boolean not null);
insert into all_tables values ('agents', true), ('commands', false), ('runs', true), ('run_events', true),
  ('run_rejects', true), ('ingest_batches', false), ('schedules', true), ('clientes', true), ('obras', true),
  ('planillas', true), ('elementos', true), ('entidades', true), ('customers', false),
  ('portal_accounts', false), ('command_rules', true), ('planilla_changes', true);
grant select on all_tables to public;

select is((select count(*)::int from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'),
  (select count(*)::int from all_tables), 'the matrix covers every public table');
select ok(c.relrowsecurity, 'RLS is enabled on ' || c.relname)
from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' order by c.relname;
select ok(not rolbypassrls and not rolcanlogin and not rolsuper, 'puente_writer has no BYPASSRLS, login or superuser')
from pg_roles where rolname = 'puente_writer';

-- Security-definer functions: owned by the writer and pinned to an empty search_path.
select ok(pg_get_userbyid(p.proowner) = 'puente_writer' and p.proconfig @> array['search_path=""'],
  p.proname || ' is owned by puente_writer with search_path=''''')
from pg_proc p where p.prosecdef and p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
order by p.proname;

-- anon: no table, and no RPC but health.
set local role anon;
select throws_ok(format('select 1 from public.%I', t), '42501', null, 'anon cannot read ' || t) from all_tables order by t;
reset role;

-- service_role reaches tables only through RPCs.
set local role service_role;
select throws_ok(format('select 1 from public.%I', t), '42501', null, 'service_role cannot read ' || t) from all_tables order by t;
reset role;

-- authenticated without a role: sees no rows anywhere.
set local role authenticated;
set local request.jwt.claims = :'norole';
select is((xpath('/row/c/text()', query_to_xml(format('select count(*) as c from public.%I', t), false, true, '')))[1]::text,
  '0', 'a user without a role sees no ' || t)
from all_tables where staff_reads or t = 'customers' order by t;
select throws_ok('select public.sync_overview()', 'PT403', null, 'a user without a role may not call sync_overview');
select throws_ok('select public.list_runs()', 'PT403', null, 'a user without a role may not call list_runs');

-- staff: operations and the FerraWin replica, never customers, keys or reject payloads.
set local request.jwt.claims = :'staff';
select is((xpath('/row/c/text()', query_to_xml(format('select count(*) > 0 as c from public.%I', t), false, true, '')))[1]::text,
  'true', 'staff reads ' || t)
from all_tables where staff_reads order by t;
select is((select count(*)::int from public.customers), 0, 'staff reads no customers');
select throws_ok('select key_hash from public.agents', '42501', null, 'staff cannot read agents.key_hash');
select throws_ok('select payload from public.run_rejects', '42501', null, 'staff cannot read reject payloads');
select throws_ok('select 1 from public.commands', '42501', null, 'staff cannot read commands');
select throws_ok('select 1 from public.ingest_batches', '42501', null, 'staff cannot read ingest_batches');
select throws_ok($$insert into public.clientes (codigo) values ('99')$$, '42501', null, 'staff cannot write tables');
select throws_ok(format('select public.create_agent(%L)', 'x'), 'PT403', null, 'staff may not create agents');
select throws_ok(format('select public.revoke_agent(%L)', :'agent_id'), 'PT403', null, 'staff may not revoke agents');
select throws_ok(format('select public.set_schedule(%L, %L, 5)', :'agent_id', 'ferrawin'), 'PT403', null, 'staff may not set schedules');
select is(public.sync_overview() -> 'totals' -> 'customers', 'null'::jsonb, 'sync_overview hides the customer total from staff');

-- admin: everything readable, customers included; still no key hashes and no direct writes.
set local request.jwt.claims = :'admin';
select is((select count(*)::int from public.customers), 1, 'admin reads customers');
select throws_ok('select key_hash from public.agents', '42501', null, 'admin cannot read agents.key_hash either');
select throws_ok($$update public.planillas set descripcion = 'x'$$, '42501', null, 'admin cannot write tables directly');
select is(public.sync_overview() -> 'totals' ->> 'customers', '1', 'sync_overview gives admins the customer total');
reset role;

-- The writer writes only because RLS policies let it.
set local role puente_writer;
select lives_ok($$insert into public.clientes (codigo, nombre) values ('8', 'Otro')$$, 'puente_writer writes through its policy');
reset role;
alter policy writer_all on public.clientes using (false) with check (false);
set local role puente_writer;
select throws_ok($$insert into public.clientes (codigo, nombre) values ('9', 'Otro')$$, '42501', null,
  'without the policy the writer is refused (RLS governs it)');
reset role;

-- Execute privileges per the contract.
create temp table rpc_matrix (fn text, anon boolean, authenticated boolean, service_role boolean);
insert into rpc_matrix values
  ('public.health()', true, true, true),
  ('public.enqueue_command(uuid,uuid,text,text,jsonb)', false, true, false),
  ('public.sync_overview()', false, true, false),
  ('public.list_runs(text,text,uuid,integer,timestamptz)', false, true, false),
  ('public.run_detail(uuid)', false, true, false),
  ('public.year_status(integer)', false, true, false),
  ('public.create_agent(text)', false, true, false),
  ('public.revoke_agent(uuid)', false, true, false),
  ('public.set_schedule(uuid,text,integer)', false, true, false),
  ('public.find_planillas(text,integer)', false, true, false),
  ('public.planilla_status(text)', false, true, false),
  ('public.planilla_elementos(text,text,integer)', false, true, false),
  ('public.planilla_journal(text,bigint,integer)', false, true, false),
  ('public.authenticate_agent(text)', false, false, true),
  ('public.claim_commands(text,integer)', false, false, true),
  ('public.agent_heartbeat(text,jsonb)', false, false, true),
  ('public.open_run(text,jsonb)', false, false, true),
  ('public.report_progress(text,uuid,jsonb)', false, false, true),
  ('public.finish_run(text,uuid,jsonb)', false, false, true),
  ('public.ingest_planillas(text,uuid,integer,jsonb)', false, false, true),
  ('public.ingest_customers(text,uuid,integer,jsonb)', false, false, true),
  ('public.claim_portal_accounts(text,uuid,jsonb)', false, false, true),
  ('public.settle_portal_accounts(text,uuid,jsonb)', false, false, true),
  ('public.reject_command(text,uuid,text)', false, false, true),
  ('public.planilla_fingerprints(text,integer)', false, false, true),
  ('public.mark_stalled_runs()', false, true, true);
select is((select count(*)::int from pg_proc p where p.pronamespace = 'public'::regnamespace
    and p.proname not in (select split_part(split_part(fn, '(', 1), '.', 2) from rpc_matrix)
    and p.oid not in (select e.objid from pg_depend e where e.deptype = 'e')),
  0, 'every public function is in the RPC matrix');
select is(has_function_privilege(r.rolname, m.fn, 'execute'),
  case r.rolname when 'anon' then m.anon when 'authenticated' then m.authenticated else m.service_role end,
  format('%s %s execute %s', r.rolname, case when case r.rolname when 'anon' then m.anon
    when 'authenticated' then m.authenticated else m.service_role end then 'may' else 'may not' end, m.fn))
from rpc_matrix m cross join (values ('anon'), ('authenticated'), ('service_role')) as r(rolname)
order by m.fn, r.rolname;
select ok(not has_function_privilege('public', p.oid, 'execute'), 'PUBLIC may not execute ' || p.proname)
from pg_proc p where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
  and p.oid not in (select e.objid from pg_depend e where e.deptype = 'e') and p.proname <> 'health'
order by p.proname;

set local role anon;
select is(public.health() ->> 'ok', 'true', 'anon may call health');
reset role;

select * from finish();
rollback;
