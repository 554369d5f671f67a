// Proof that the migrations do not depend on who owns the platform's `auth` schema. The devstack
// gives it to supabase_auth_admin, a member role of `postgres`; a project where it belongs to
// supabase_admin and `postgres` holds only USAGE must take the same `supabase db push`, and the
// writing RPCs (owned by puente_writer) must still work there.
import postgres from "postgres";
import { applyMigrations, createAgent, startPostgres } from "../../devstack/src/postgres/index.ts";
import type { ProofResult } from "./claim-concurrency.ts";

export async function proveAuthOwnershipIndependent(): Promise<ProofResult> {
  const result: ProofResult = { passed: 0, failed: 0, problems: [] };
  const pg = await startPostgres();
  try {
    const admin = postgres(pg.adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`
      alter schema auth owner to supabase_admin;
      revoke all on schema auth from postgres;
      grant usage on schema auth to postgres;
      revoke supabase_auth_admin from postgres;`);
    await admin.end();
    await applyMigrations(pg.url);
    result.passed++;
    const agent = await createAgent(pg.url, "auth-ownership");
    if (agent.key.length >= 16) result.passed++;
    else {
      result.failed++;
      result.problems.push("not ok - create_agent answered no key");
    }
  } catch (error) {
    result.failed++;
    result.problems.push(
      `not ok - with auth owned by supabase_admin: ${(error as Error).message}`,
    );
  } finally {
    await pg.stop();
  }
  return result;
}
