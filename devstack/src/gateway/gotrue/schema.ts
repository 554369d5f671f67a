// What the GoTrue subset needs in the `auth` schema, created idempotently at gateway start: the
// refresh-token table (rotation and logout) and the user columns GoTrue's own schema has.
import type { Sql } from "postgres";

export class AuthSchemaMissing extends Error {
  override name = "AuthSchemaMissing";
}

export async function ensureAuthSchema(sql: Sql): Promise<void> {
  const [found] = await sql<{ exists: boolean }[]>`
    select to_regclass('auth.users') is not null as exists`;
  if (!found?.exists) {
    throw new AuthSchemaMissing(
      "auth.users does not exist: apply the Supabase base migration before starting the gateway",
    );
  }
  await sql.unsafe(`
    alter table auth.users add column if not exists email_confirmed_at timestamptz;
    alter table auth.users add column if not exists last_sign_in_at timestamptz;
    alter table auth.users add column if not exists created_at timestamptz default now();
    alter table auth.users add column if not exists updated_at timestamptz default now();
    alter table auth.users add column if not exists invited_at timestamptz;
    alter table auth.users add column if not exists confirmation_token varchar(255);
    alter table auth.users add column if not exists confirmation_sent_at timestamptz;
    alter table auth.users add column if not exists recovery_token varchar(255);
    alter table auth.users add column if not exists recovery_sent_at timestamptz;
    create table if not exists auth.refresh_tokens (
      id bigserial primary key,
      token text not null unique,
      user_id uuid not null,
      session_id uuid not null,
      parent text,
      revoked boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index if not exists refresh_tokens_session_idx on auth.refresh_tokens (session_id);
    create index if not exists refresh_tokens_user_idx on auth.refresh_tokens (user_id);
  `).simple();
}
