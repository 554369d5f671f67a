-- The database as hosted Supabase sets it up, for the devstack (PostgreSQL 15 and PGlite).
-- Run once, as the bootstrap superuser `supabase_admin`, on a fresh cluster; then `postgres` is the
-- non-superuser that `supabase db push` connects as. Sources, in the order they run on hosted
-- Supabase (supabase/postgres, migrations/db/; see devstack/README.md for the commit):
--   init-scripts/00000000000000-initial-schema.sql      roles, extensions, default privileges, timeouts
--   init-scripts/00000000000001-auth-schema.sql         auth schema and supabase_auth_admin
--   migrations/10000000000000_demote-postgres.sql       postgres loses SUPERUSER
--   migrations/2021…–2024… (named below)                later grants and role settings
-- and GoTrue's (supabase/auth) own objects in `auth`, created as supabase_auth_admin.
-- Left out: realtime, storage, pgsodium/vault, pg_graphql, pg_cron and pg_net, which Puente does
-- not use, and the replication, read-only and dashboard users.

-- migrate.sh: `postgres` starts as a superuser and owns the database; the init scripts run as it.
create role postgres superuser login;
alter database postgres owner to postgres;

set role postgres;

-- 00000000000000-initial-schema.sql
create schema extensions;
create extension pgcrypto with schema extensions;

create role anon nologin noinherit;
create role authenticated nologin noinherit;
create role service_role nologin noinherit bypassrls;
-- PostgREST logs in as authenticator and switches to the JWT's role with SET LOCAL ROLE.
create role authenticator login noinherit;
grant anon to authenticator;
grant authenticated to authenticator;
grant service_role to authenticator;

grant usage on schema public to postgres, anon, authenticated, service_role;
-- What makes every new table, function and sequence in public reachable by the API roles unless a
-- migration revokes it: the reason Puente's grants migration starts by revoking everything.
alter default privileges in schema public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to postgres, anon, authenticated, service_role;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
alter default privileges for user supabase_admin in schema public grant all
  on sequences to postgres, anon, authenticated, service_role;
alter default privileges for user supabase_admin in schema public grant all
  on tables to postgres, anon, authenticated, service_role;
alter default privileges for user supabase_admin in schema public grant all
  on functions to postgres, anon, authenticated, service_role;

alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';

-- 00000000000001-auth-schema.sql: the schema and the role GoTrue runs as.
create role supabase_auth_admin noinherit createrole login noreplication;
create schema auth authorization supabase_auth_admin;
grant usage on schema auth to anon, authenticated, service_role;
alter role supabase_auth_admin set search_path = auth;

reset role;

-- GoTrue creates its objects as supabase_auth_admin. auth.users keeps the columns the devstack's
-- GoTrue stand-in reads and writes, with GoTrue's types; the helpers are GoTrue's current ones.
set role supabase_auth_admin;

create table auth.users (
  instance_id uuid,
  id uuid primary key default gen_random_uuid(),
  aud varchar(255) default 'authenticated',
  role varchar(255) default 'authenticated',
  email varchar(255) unique,
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  invited_at timestamptz,
  confirmation_token varchar(255),
  recovery_token varchar(255),
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb not null default '{}'::jsonb,
  raw_user_meta_data jsonb not null default '{}'::jsonb,
  is_super_admin boolean,
  phone text unique,
  banned_until timestamptz,
  deleted_at timestamptz,
  is_anonymous boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- The claims PostgREST put in request.jwt.claims; older PostgREST set one setting per claim.
create function auth.jwt() returns jsonb
language sql stable set search_path = ''
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claims', true), '')::jsonb,
    pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
      'sub', nullif(current_setting('request.jwt.claim.sub', true), ''),
      'role', nullif(current_setting('request.jwt.claim.role', true), ''),
      'email', nullif(current_setting('request.jwt.claim.email', true), '')
    ))
  )
$$;

create function auth.uid() returns uuid
language sql stable set search_path = ''
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create function auth.role() returns text
language sql stable set search_path = ''
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

grant execute on function auth.jwt(), auth.uid(), auth.role() to anon, authenticated, service_role;

reset role;

-- 10000000000000_demote-postgres.sql (storage left out)
grant all on database postgres to postgres;
grant all on schema auth to postgres;
grant all on schema extensions to postgres;
grant all on all tables in schema auth to postgres;
grant all on all tables in schema extensions to postgres;
grant all on all sequences in schema auth to postgres;
grant all on all sequences in schema extensions to postgres;
grant all on all routines in schema auth to postgres;
grant all on all routines in schema extensions to postgres;
alter role postgres nosuperuser createdb createrole login replication bypassrls;

-- 20211115181400_update-auth-permissions.sql (dashboard_user left out)
alter default privileges for role supabase_auth_admin in schema auth grant all on tables to postgres;
alter default privileges for role supabase_auth_admin in schema auth grant all on sequences to postgres;
alter default privileges for role supabase_auth_admin in schema auth grant all on routines to postgres;

-- 20220609081115_grant-supabase-auth-admin-and-supabase-storage-admin-to-postgres.sql
grant supabase_auth_admin to postgres;

-- 20221028101028_set_authenticator_timeout.sql: service_role has no timeout of its own; a request
-- runs with the authenticator's 8 s after SET ROLE.
alter role authenticator set statement_timeout = '8s';

-- 20230201083204_grant_auth_roles_to_postgres.sql
grant anon, authenticated, service_role to postgres;

-- 20230224042246_grant_extensions_perms_for_postgres.sql
grant all privileges on all tables in schema extensions to postgres with grant option;
grant all privileges on all routines in schema extensions to postgres with grant option;
grant all privileges on all sequences in schema extensions to postgres with grant option;
alter default privileges in schema extensions grant all on tables to postgres with grant option;
alter default privileges in schema extensions grant all on routines to postgres with grant option;
alter default privileges in schema extensions grant all on sequences to postgres with grant option;

-- 20230306081037_grant_pg_monitor_to_postgres.sql
grant pg_monitor to postgres;

-- 20230529180330_alter_api_roles_for_inherit.sql (pgsodium left out)
alter role authenticated inherit;
alter role anon inherit;
alter role service_role inherit;

-- 20231130133139_set_lock_timeout_to_authenticator_role.sql
alter role authenticator set lock_timeout to '8s';

-- 20240606060239_grant_predefined_roles_to_postgres.sql
grant pg_read_all_data, pg_signal_backend to postgres;

-- 00000000000003-post-setup.sql
alter role supabase_admin set search_path to "$user", public, auth, extensions;
alter role postgres set search_path to "$user", public, extensions;
