// Test support: a throwaway hosted-like database (the devstack's Supabase base: roles, auth.users,
// auth.uid()/role()/jwt()) reached as `postgres`, with a `gw_test` schema of functions that exercise
// the RPC contract.
import postgres from "postgres";
import { type StartedPostgres, startPostgres } from "../postgres/index.ts";

const TEST_FUNCTIONS = `
-- Hosted Supabase's role settings (supabase/postgres), which the gateway applies per request.
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
create schema gw_test;
grant usage on schema gw_test to anon, authenticated, service_role;
create table gw_test.notes (note text, by_role text);
grant insert, select on gw_test.notes to anon, authenticated, service_role;

create function gw_test.whoami() returns jsonb language sql stable as $$
  select jsonb_build_object('uid', auth.uid(), 'role', current_user, 'claimRole', auth.role(),
    'method', current_setting('request.method', true), 'path', current_setting('request.path', true),
    'clientInfo', current_setting('request.headers', true)::jsonb ->> 'x-client-info',
    'readOnly', current_setting('transaction_read_only'),
    'timeout', current_setting('statement_timeout')) $$;
create function gw_test.touch(p_note text) returns void language sql as $$
  insert into gw_test.notes values (p_note, current_user) $$;
create function gw_test.series(p_n int) returns setof int language sql stable as $$
  select generate_series(1, p_n) $$;
create function gw_test.pairs(p_n int default 2) returns table (a int, b text) language sql stable as $$
  select i, 'n' || i from generate_series(1, p_n) i $$;
create function gw_test.forbidden() returns int language plpgsql as $$
  begin raise exception 'staff may not do this' using errcode = 'PT403', hint = 'ask an admin'; end $$;
create function gw_test.complain(p_msg text) returns int language plpgsql as $$
  begin raise exception '%', p_msg; end $$;
create function gw_test.echo_batch(p_key text, p_seq int, p_batch jsonb, p_label jsonb default null)
  returns jsonb language sql immutable as $$
  select jsonb_build_object('key', p_key, 'seq', p_seq, 'n', jsonb_array_length(p_batch -> 'elementos'),
    'first', p_batch -> 'elementos' -> 0, 'labelType', jsonb_typeof(p_label), 'label', p_label) $$;
create function gw_test.whole(jsonb) returns jsonb language sql immutable as $$ select $1 $$;
create function gw_test.write_from_stable() returns int language plpgsql stable as $$
  begin perform gw_test.touch('nope'); return 1; end $$;
create function gw_test.slow(p_s float) returns int language sql as $$ select 1 from pg_sleep(p_s) $$;
create function gw_test.only_signed_in() returns int language sql as $$ select 1 $$;
revoke execute on function gw_test.only_signed_in() from public, anon;
grant execute on function gw_test.only_signed_in() to authenticated;
`;

/** The schemas the test gateway exposes (PostgREST's db-schemas). */
export const TEST_EXPOSED_SCHEMAS = ["public", "gw_test"];

export interface GatewayTestDatabase {
  cluster: StartedPostgres;
  sql: postgres.Sql;
  stop(): Promise<void>;
}

export async function startGatewayTestDatabase(): Promise<GatewayTestDatabase> {
  const cluster = await startPostgres();
  const sql = postgres(cluster.url, { onnotice: () => {} });
  try {
    await sql.unsafe(TEST_FUNCTIONS).simple();
  } catch (error) {
    await sql.end();
    await cluster.stop();
    throw error;
  }
  return {
    cluster,
    sql,
    async stop() {
      await sql.end({ timeout: 2 });
      await cluster.stop();
    },
  };
}
