// `bun tests/db/run-pgtap.ts`: the database suite. Starts a fresh Postgres set up as hosted Supabase
// (superuser supabase_admin, non-superuser `postgres`), applies the migrations with `supabase db push`
// as `postgres`, proves the baseline equals the history it replaced, installs pgTAP into `extensions`
// as hosted Supabase offers it, runs each supabase/tests/*.sql with psql as `postgres` and parses its
// TAP, then runs the concurrent-claim proof and the auth-ownership proof. Ends with
// `db: N passed, N failed`; exits non-zero on failure. Arguments filter by file or proof name.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { applyMigrations, startPostgres } from "../../devstack/src/postgres/index.ts";
import { parseTap, type TapResult } from "./tap.ts";
import { type ProofResult, proveClaimExactlyOnce } from "./claim-concurrency.ts";
import { proveBaselineEquivalent } from "./baseline-equivalence.ts";
import { proveAuthOwnershipIndependent } from "./auth-ownership.ts";

const root = join(import.meta.dir, "..", "..");
const testsDir = join(root, "supabase", "tests");
const psql = process.env.PUENTE_PSQL ?? "/usr/bin/psql";
const only = process.argv.slice(2);

class PgTapMissing extends Error {
  override name = "PgTapMissing";
}

/** pgTAP is not a trusted extension: hosted Supabase installs it for `postgres`, so does this. */
async function installPgTap(adminUrl: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`create extension if not exists pgtap with schema extensions`;
  } catch (error) {
    throw new PgTapMissing(
      `pgTAP is not installed (${
        (error as Error).message
      }); run: apt-get install -y postgresql-15-pgtap`,
    );
  } finally {
    await sql.end();
  }
}

function runFile(url: string, file: string): TapResult {
  const result = Bun.spawnSync({
    cmd: [psql, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", file],
    cwd: testsDir,
    stdout: "pipe",
    stderr: "pipe",
  });
  return parseTap(result.stdout.toString(), result.stderr.toString(), result.exitCode ?? 1);
}

const pg = await startPostgres();
let passed = 0;
let failed = 0;
try {
  console.log(
    `db: running on ${pg.kind === "system" ? "system PostgreSQL" : "PGlite"} (${pg.description})`,
  );
  await applyMigrations(pg.url);
  const report = (name: string, proof: ProofResult) => {
    passed += proof.passed;
    failed += proof.failed;
    console.log(
      `${
        proof.failed === 0 ? "PASS" : "FAIL"
      } ${name}: ${proof.passed} passed, ${proof.failed} failed`,
    );
    for (const problem of proof.problems) console.log(`  ${problem}`);
  };
  // Before anything else touches the database: it must be exactly what the migrations built.
  if (only.length === 0 || only.some((o) => "baseline-equivalence".includes(o))) {
    report("baseline-equivalence", await proveBaselineEquivalent());
  }
  await installPgTap(pg.adminUrl);
  const files = readdirSync(testsDir)
    .filter((f) => f.endsWith(".sql") && !f.startsWith("_"))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort();
  for (const file of files) {
    const tap = runFile(pg.url, join(testsDir, file));
    passed += tap.passed;
    failed += tap.failed;
    console.log(
      `${tap.failed === 0 ? "PASS" : "FAIL"} ${file}: ${tap.passed} passed, ${tap.failed} failed`,
    );
    for (const problem of tap.problems) console.log(`  ${problem}`);
  }
  if (only.length === 0 || only.some((o) => "claim-concurrency".includes(o))) {
    report("claim-concurrency", await proveClaimExactlyOnce(pg.url));
  }
  if (only.length === 0 || only.some((o) => "auth-ownership".includes(o))) {
    report("auth-ownership", await proveAuthOwnershipIndependent());
  }
} catch (error) {
  failed++;
  console.error(`db: ${(error as Error).message}`);
} finally {
  await pg.stop();
}
console.log(`db: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
