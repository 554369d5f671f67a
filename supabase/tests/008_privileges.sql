-- The security model over the catalog, under hosted Supabase's default privileges (which grant anon,
-- authenticated and service_role ALL on whatever `postgres` creates in public). Every assertion reads
-- pg_catalog, so a table or function added later is covered without touching this file: it fails
-- here until its migration revokes what the design does not grant.
begin;
select * from no_plan();

create temp view puente_functions as
  select p.oid, p.prosecdef, p.proconfig, p.proowner,
    p.pronamespace::regnamespace::text || '.' || p.proname::text
      || '(' || pg_get_function_identity_arguments(p.oid) || ')' as signature
  from pg_proc p where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace);
create temp view puente_relations as
  select c.oid, c.relkind, c.relnamespace::regnamespace::text || '.' || c.relname::text as name
  from pg_class c where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace);

-- Security-definer functions run as their owner: never a role that skips RLS.
select isnt_empty($$ select 1 from puente_functions where prosecdef $$,
  'there are security-definer functions to check');
select is_empty($$
  select f.signature || ' owned by ' || r.rolname from puente_functions f
  join pg_roles r on r.oid = f.proowner
  where f.prosecdef and (r.rolsuper or r.rolbypassrls) $$,
  'every security-definer function is owned by a role without SUPERUSER and without BYPASSRLS');
select is_empty($$
  select signature from puente_functions
  where prosecdef and not coalesce(proconfig @> array['search_path=""'], false) $$,
  'every security-definer function pins search_path to empty');

-- Nobody writes tables directly: not anon, not authenticated, not even service_role.
select is_empty($$
  select r.name || ' ' || priv || ' to ' || role from puente_relations r
  cross join unnest(array['anon', 'authenticated', 'service_role']) as role
  cross join unnest(array['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) as priv
  where r.relkind in ('r', 'p', 'v', 'm', 'f') and has_table_privilege(role, r.oid, priv) $$,
  'anon, authenticated and service_role hold no TRUNCATE, INSERT, UPDATE, DELETE, REFERENCES or TRIGGER on any table');
select is_empty($$
  select r.name || ' ' || priv || ' to ' || role from puente_relations r
  cross join unnest(array['anon', 'authenticated', 'service_role']) as role
  cross join unnest(array['INSERT', 'UPDATE', 'REFERENCES']) as priv
  where r.relkind in ('r', 'p', 'v', 'm', 'f') and has_any_column_privilege(role, r.oid, priv) $$,
  'nor any column-level write privilege');
select is_empty($$
  select r.name || ' to ' || role from puente_relations r
  cross join unnest(array['anon', 'service_role']) as role
  where r.relkind in ('r', 'p', 'v', 'm', 'f') and has_any_column_privilege(role, r.oid, 'SELECT') $$,
  'anon and service_role read no table (service_role reads through the RPCs too)');
select is_empty($$
  select r.name || ' ' || priv || ' to ' || role from puente_relations r
  cross join unnest(array['anon', 'authenticated', 'service_role']) as role
  cross join unnest(array['USAGE', 'SELECT', 'UPDATE']) as priv
  where r.relkind = 'S' and has_sequence_privilege(role, r.oid, priv) $$,
  'anon, authenticated and service_role hold no privilege on any sequence');
select is_empty($$
  select r.name from puente_relations r join pg_class c on c.oid = r.oid
  where r.relkind in ('r', 'p') and not c.relrowsecurity $$,
  'RLS is enabled on every table');

-- EXECUTE only on the RPCs meant for each caller (has_function_privilege counts PUBLIC's default).
select is(array(select signature from puente_functions where has_function_privilege('anon', oid, 'EXECUTE')
  order by 1),
  array['public.health()'],
  'anon may execute public.health() and nothing else');
select is(array(select signature from puente_functions where has_function_privilege('authenticated', oid, 'EXECUTE')
  order by 1),
  array['private.app_role()',
    'private.iso(p_at timestamp with time zone)',
    'private.jwt_claims()',
    'private.lookup_text(p_text text, p_name text)',
    'private.planilla_code(p_text text)',
    'private.reject_payloads(p_run_id uuid)',
    'private.require_role(VARIADIC p_roles text[])',
    'private.required_planilla_code(p_text text)',
    'private.run_summary(r runs)',
    'public.create_agent(p_name text)',
    'public.enqueue_command(p_request_id uuid, p_agent_id uuid, p_source text, p_action text, p_params jsonb)',
    'public.find_planillas(p_query text, p_limit integer)',
    'public.health()',
    'public.list_runs(p_source text, p_status text, p_agent_id uuid, p_limit integer, p_before timestamp with time zone)',
    'public.mark_stalled_runs()',
    'public.planilla_elementos(p_codigo text, p_after text, p_limit integer)',
    'public.planilla_journal(p_codigo text, p_before bigint, p_limit integer)',
    'public.planilla_status(p_codigo text)',
    'public.revoke_agent(p_agent_id uuid)',
    'public.run_detail(p_run_id uuid)',
    'public.set_schedule(p_agent_id uuid, p_source text, p_interval_minutes integer)',
    'public.sync_overview()',
    'public.year_status(p_year integer)'],
  'authenticated may execute the user RPCs and the helpers they call, nothing else');
select is(array(select signature from puente_functions where has_function_privilege('service_role', oid, 'EXECUTE')
  order by 1),
  array['public.agent_heartbeat(p_agent_key text, p_heartbeat jsonb)',
    'public.authenticate_agent(p_key text)',
    'public.claim_commands(p_agent_key text, p_limit integer)',
    'public.claim_portal_accounts(p_agent_key text, p_run_id uuid, p_wispro_ids jsonb)',
    'public.finish_run(p_agent_key text, p_run_id uuid, p_finish jsonb)',
    'public.health()',
    'public.ingest_customers(p_agent_key text, p_run_id uuid, p_seq integer, p_batch jsonb)',
    'public.ingest_planillas(p_agent_key text, p_run_id uuid, p_seq integer, p_batch jsonb)',
    'public.mark_stalled_runs()',
    'public.open_run(p_agent_key text, p_request jsonb)',
    'public.planilla_fingerprints(p_agent_key text, p_year integer)',
    'public.reject_command(p_agent_key text, p_command_id uuid, p_reason text)',
    'public.report_progress(p_agent_key text, p_run_id uuid, p_progress jsonb)',
    'public.settle_portal_accounts(p_agent_key text, p_run_id uuid, p_outcomes jsonb)'],
  'service_role may execute the agent RPCs the edge calls, nothing else');

-- The writer: no superuser, no BYPASSRLS, no way to log in, and no CREATE left on any schema.
select is((select rolsuper or rolbypassrls or rolcanlogin from pg_roles where rolname = 'puente_writer'),
  false, 'puente_writer is NOSUPERUSER NOBYPASSRLS NOLOGIN');
select is_empty($$
  select nspname from pg_namespace where has_schema_privilege('puente_writer', oid, 'CREATE')
    and nspname !~ '^pg_(toast_)?temp_' $$,
  'puente_writer cannot create objects in any schema');

-- `auth` is the platform's schema: what it lets the migration role grant there differs between
-- projects, so nothing Puente owns may depend on it (the claims come from private.jwt_claims()).
select is_empty($$ select signature from puente_functions p join pg_proc f on f.oid = p.oid
  where f.prosrc ~ '\mauth\.' $$,
  'no Puente function calls into the auth schema');

-- The database as hosted Supabase sets it up: migrations ran as a non-superuser `postgres`.
select is((select rolsuper from pg_roles where rolname = 'postgres'), false,
  'postgres is not a superuser (hosted Supabase demotes it)');
select is((select rolsuper from pg_roles where rolname = 'supabase_admin'), true,
  'supabase_admin is the superuser');
select is((select nspowner::regrole::text from pg_namespace where nspname = 'auth'),
  'supabase_auth_admin', 'auth belongs to supabase_auth_admin');
select is((select pg_get_userbyid(relowner) from pg_class where oid = 'public.runs'::regclass),
  'postgres', 'the tables belong to postgres, which applied the migrations');
-- Hosted statement timeouts, which the gateway applies per request.
select is((select array_agg(rolname || ':' || s order by rolname) from pg_roles,
    unnest(rolconfig) as s
  where rolname in ('anon', 'authenticated', 'authenticator', 'service_role')
    and s like 'statement_timeout=%'),
  array['anon:statement_timeout=3s', 'authenticated:statement_timeout=8s',
    'authenticator:statement_timeout=8s'],
  'statement_timeout: anon 3 s, authenticated 8 s, authenticator 8 s (service_role inherits it per request)');

select * from finish();
rollback;
