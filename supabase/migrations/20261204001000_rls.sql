-- Roles and row-level security. RLS is on for every table and denies by default; web users read
-- through invoker RPCs under these policies, and every write goes through security-definer RPCs
-- owned by puente_writer, a role without BYPASSRLS, so RLS governs the writes too.

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'puente_writer') then
    create role puente_writer nologin noinherit nobypassrls;
  end if;
end
$$;
-- The migration role must be a member to hand function ownership to puente_writer.
grant puente_writer to current_user;

-- Helpers that policies and RPCs share; not in an exposed schema.
create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role, puente_writer;
grant usage on schema public to puente_writer;

-- The request's JWT claims, as PostgREST puts them in request.jwt.claims (what auth.jwt() reads).
-- Read here instead of through auth.jwt(), auth.uid() or auth.role(): the writing RPCs run as
-- puente_writer, and `auth` is the platform's schema, where the migration role may not be allowed to
-- grant it anything (a GRANT it may not give is only a warning, and the RPCs would then fail at run
-- time). So nothing Puente owns depends on `auth`.
create function private.jwt_claims() returns jsonb
language sql stable set search_path = ''
as $$ select coalesce(nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb, '{}'::jsonb) $$;

-- The caller's Puente role from the JWT's app_metadata (never user_metadata, which users edit).
create function private.app_role() returns text
language sql stable set search_path = ''
as $$ select (private.jwt_claims() -> 'app_metadata' ->> 'role') $$;

-- Nobody but the RPCs touches the tables: start from no privileges at all. Hosted Supabase's default
-- privileges grant anon, authenticated and service_role ALL on every table and sequence `postgres`
-- creates in public, so this runs after every table exists; a later migration that adds a table must
-- revoke the same (supabase/tests/008_privileges.sql fails otherwise).
revoke all on all tables in schema public from public, anon, authenticated, service_role;
revoke all on all sequences in schema public from public, anon, authenticated, service_role;

grant select, insert, update, delete on all tables in schema public to puente_writer;
grant usage on all sequences in schema public to puente_writer;

-- Reads the web needs (through invoker RPCs). agents.key_hash is left out of the column grant,
-- and run_rejects.payload too (it may carry personal data; admins get it via run_detail).
grant select (id, name, hostname, version, last_seen_at, revoked_at, created_at)
  on public.agents to authenticated;
grant select (id, run_id, record_key, reason, detail, at) on public.run_rejects to authenticated;
grant select on public.runs, public.run_events, public.schedules, public.clientes, public.obras,
  public.planillas, public.elementos, public.entidades, public.customers to authenticated;
-- Portal accounts hold emails (personal data): readable by admins only, through the policy below.
grant select on public.portal_accounts to authenticated;

do $$
declare
  t text;
begin
  foreach t in array array['agents', 'commands', 'runs', 'run_events', 'run_rejects', 'ingest_batches',
    'schedules', 'clientes', 'obras', 'planillas', 'elementos', 'entidades', 'customers', 'portal_accounts']
  loop
    execute format('alter table public.%I enable row level security', t);
    -- The writer may write every table, but only because this policy says so.
    execute format(
      'create policy writer_all on public.%I for all to puente_writer using (true) with check (true)', t);
  end loop;
  -- Admin and staff read operations and the FerraWin replica.
  foreach t in array array['agents', 'runs', 'run_events', 'run_rejects', 'schedules', 'clientes',
    'obras', 'planillas', 'elementos', 'entidades']
  loop
    execute format(
      'create policy staff_read on public.%I for select to authenticated '
      'using ((select private.app_role()) in (''admin'', ''staff''))', t);
  end loop;
end
$$;

-- Customers and their portal accounts hold personal data: admins only.
create policy admin_read on public.customers for select to authenticated
  using ((select private.app_role()) = 'admin');
create policy admin_read on public.portal_accounts for select to authenticated
  using ((select private.app_role()) = 'admin');
