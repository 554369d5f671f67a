// Proof that the migration baseline (supabase/migrations/20261204*) builds the schema the history it
// replaced built: the 19 migrations as of commit d7c8f12, read from git, against the baseline, each on
// its own hosted-like database. It compares function sources and settings, owners, ACLs (tables,
// columns, functions, schemas), policies, indexes, constraints, triggers and a schema-only dump. The
// only differences allowed are the ones named in ALLOWED, and each of them must occur. This check
// belongs to the change that replaced the history; from then on migrations are forward-only and it
// can be deleted with the old history's last reader.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import {
  applyMigrations,
  migrationFiles,
  startPostgres,
} from "../../devstack/src/postgres/index.ts";
import { MIGRATIONS_DIR } from "../../devstack/src/postgres/migrations.ts";
import type { ProofResult } from "./claim-concurrency.ts";

const OLD_HISTORY_COMMIT = "d7c8f12";
const root = join(import.meta.dir, "..", "..");
/** The baseline's files; everything after it is forward-only and changes the schema on purpose. */
const BASELINE_PREFIX = "20261204";
const pgDump = join(process.env.PUENTE_PG_BIN ?? "/usr/lib/postgresql/15/bin", "pg_dump");

/** Each difference the baseline makes on purpose: a name, why, and which differences it covers. */
const ALLOWED: { name: string; covers: (difference: string) => boolean }[] = [
  {
    // Its only caller was the first ingest_planillas, which the faster one replaced.
    name: "dead function private.entity_code(text) dropped",
    covers: (d) => d.includes("entity_code"),
  },
  {
    // The history revoked table privileges before portal_accounts existed, so hosted Supabase's
    // default privileges left anon, authenticated and service_role holding ALL on it (TRUNCATE
    // included). The baseline revokes after every table exists; authenticated keeps SELECT.
    name:
      "portal_accounts: hosted default privileges (ALL to anon, authenticated, service_role) revoked",
    covers: (d) =>
      /^table portal_accounts: /.test(d) ||
      /^dump: GRANT ALL ON TABLE public\.portal_accounts TO (anon|authenticated|service_role)$/
        .test(d) ||
      d === "dump (new): GRANT SELECT ON TABLE public.portal_accounts TO authenticated",
  },
  {
    // The writing RPCs run as puente_writer, and `auth` is the platform's schema: on a project where
    // the migration role may not grant in it, auth.jwt()/uid()/role() would fail at run time inside
    // them. The claims are read from request.jwt.claims by private.jwt_claims() instead (the legacy
    // per-claim settings of PostgREST < 9 are no longer read), and puente_writer gets nothing in auth.
    name: "claims read by private.jwt_claims() instead of auth.jwt()/auth.uid()/auth.role()",
    covers: (d) =>
      d.includes("jwt_claims") || /auth\.(jwt|uid|role)\(\)/.test(d) ||
      /^function (private\.app_role\(\)|mark_stalled_runs\(\)|private\.enqueue_command_locked\(uuid,uuid,text,text,jsonb\)): /
        .test(d) ||
      /^dump( \(new\))?: CREATE FUNCTION (private\.app_role\(\)|public\.mark_stalled_runs\(\)|private\.enqueue_command_locked\()/
        .test(d),
  },
];

const CATALOG: Record<string, string> = {
  function: `
    select p.oid::regprocedure::text as key, jsonb_build_object(
      'src', p.prosrc, 'owner', pg_get_userbyid(p.proowner), 'acl', p.proacl::text,
      'config', p.proconfig, 'definer', p.prosecdef, 'volatility', p.provolatile,
      'strict', p.proisstrict, 'result', pg_get_function_result(p.oid),
      'args', pg_get_function_arguments(p.oid)) as value
    from pg_proc p where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)`,
  table: `
    select c.oid::regclass::text as key, jsonb_build_object('kind', c.relkind,
      'owner', pg_get_userbyid(c.relowner), 'acl', c.relacl::text, 'rls', c.relrowsecurity,
      'force', c.relforcerowsecurity) as value
    from pg_class c where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace)`,
  column: `
    select a.attrelid::regclass::text || '.' || a.attname as key, jsonb_build_object(
      'n', a.attnum, 'type', format_type(a.atttypid, a.atttypmod), 'notnull', a.attnotnull,
      'default', pg_get_expr(d.adbin, d.adrelid), 'acl', a.attacl::text) as value
    from pg_attribute a join pg_class c on c.oid = a.attrelid
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace)
      and a.attnum > 0 and not a.attisdropped`,
  policy: `
    select schemaname || '.' || tablename || '.' || policyname as key,
      to_jsonb(p) - 'schemaname' - 'tablename' - 'policyname' as value
    from pg_policies p where schemaname in ('public', 'private')`,
  index: `
    select schemaname || '.' || indexname as key, to_jsonb(indexdef) as value
    from pg_indexes where schemaname in ('public', 'private')`,
  constraint: `
    select conrelid::regclass::text || '.' || conname as key,
      to_jsonb(pg_get_constraintdef(oid)) as value
    from pg_constraint where connamespace in ('public'::regnamespace, 'private'::regnamespace)`,
  trigger: `
    select tgrelid::regclass::text || '.' || tgname as key, to_jsonb(pg_get_triggerdef(oid)) as value
    from pg_trigger where not tgisinternal`,
  schema: `
    select nspname as key, jsonb_build_object('owner', pg_get_userbyid(nspowner),
      'acl', nspacl::text) as value
    from pg_namespace where nspname in ('public', 'private')`,
  role: `
    select rolname as key, jsonb_build_object('super', rolsuper, 'bypassrls', rolbypassrls,
      'inherit', rolinherit, 'login', rolcanlogin, 'config', rolconfig) as value
    from pg_roles where rolname = 'puente_writer'`,
};

async function catalog(url: string): Promise<Map<string, string>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const entries = new Map<string, string>();
  try {
    for (const [kind, query] of Object.entries(CATALOG)) {
      for (const row of await sql.unsafe<{ key: string; value: unknown }[]>(query)) {
        entries.set(`${kind} ${row.key}`, JSON.stringify(row.value));
      }
    }
  } finally {
    await sql.end();
  }
  return entries;
}

/** The schema-only dump of public and private, as a set of statements (dump order is not compared). */
function dumpStatements(adminUrl: string): Set<string> {
  const result = Bun.spawnSync({
    cmd: [pgDump, "--schema-only", "--schema=public", "--schema=private", "-d", adminUrl],
    stdout: "pipe",
    stderr: "pipe",
  });
  if (result.exitCode !== 0) throw new Error(`pg_dump failed: ${result.stderr.toString()}`);
  // Comments, and the random key of pg_dump's \restrict guard, are not schema.
  const text = result.stdout.toString().replace(/^(--|\\restrict |\\unrestrict ).*$/gm, "");
  return new Set(
    text.split(/;\n/).map((s) => s.trim().replace(/\s+/g, " ")).filter((s) => s !== ""),
  );
}

/** The history's files at OLD_HISTORY_COMMIT, in name order. */
function oldHistory(): { name: string; text: string }[] {
  const git = (...args: string[]) => {
    const r = Bun.spawnSync({ cmd: ["git", "-C", root, ...args], stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
    return r.stdout.toString();
  };
  return git("ls-tree", "--name-only", OLD_HISTORY_COMMIT, "supabase/migrations/")
    .split("\n").filter((p) => p.endsWith(".sql")).sort()
    .map((path) => ({
      name: path.split("/").pop()!,
      text: git("show", `${OLD_HISTORY_COMMIT}:${path}`),
    }));
}

/**
 * Compares the baseline database at `baseline` (migrated by `supabase db push`) with a new database
 * built from the old history. The history only ever applied as a superuser (it fails at
 * 20261123090900_rpc_grants.sql otherwise, the bug this baseline fixes), so `postgres` is made a
 * superuser for those files alone, then demoted again: owners stay `postgres` as on the baseline.
 */
export async function proveBaselineEquivalent(): Promise<ProofResult> {
  const result: ProofResult = { passed: 0, failed: 0, problems: [] };
  const check = (ok: boolean, what: string) => {
    if (ok) result.passed++;
    else {
      result.failed++;
      result.problems.push(`not ok - ${what}`);
    }
  };
  // The baseline alone (20261204*), pushed by the CLI from a copy of supabase/ without the
  // forward-only migrations that came after it: those change the schema on purpose.
  const baseline = await startPostgres();
  const workdir = mkdtempSync(join(tmpdir(), "puente-baseline-"));
  const old = await startPostgres();
  try {
    cpSync(join(root, "supabase", "config.toml"), join(workdir, "supabase", "config.toml"));
    for (const name of migrationFiles().filter((f) => f.startsWith(BASELINE_PREFIX))) {
      cpSync(join(MIGRATIONS_DIR, name), join(workdir, "supabase", "migrations", name));
    }
    await applyMigrations(baseline.url, { workdir });
    const admin = postgres(old.adminUrl, { max: 1, onnotice: () => {} });
    await admin`alter role postgres superuser`;
    const sql = postgres(old.url, { max: 1, onnotice: () => {} });
    try {
      for (const file of oldHistory()) await sql.begin((tx) => tx.unsafe(file.text));
    } finally {
      await sql.end();
      await admin`alter role postgres nosuperuser`;
      await admin.end();
    }
    const [before, after] = await Promise.all([catalog(old.url), catalog(baseline.url)]);
    const differences: string[] = [];
    for (const key of new Set([...before.keys(), ...after.keys()])) {
      if (before.get(key) !== after.get(key)) {
        differences.push(
          `${key}: ${before.get(key) ?? "(absent)"} -> ${after.get(key) ?? "(absent)"}`,
        );
      }
    }
    const [dumpBefore, dumpAfter] = [
      dumpStatements(old.adminUrl),
      dumpStatements(baseline.adminUrl),
    ];
    for (const s of dumpBefore) if (!dumpAfter.has(s)) differences.push(`dump: ${s}`);
    for (const s of dumpAfter) if (!dumpBefore.has(s)) differences.push(`dump (new): ${s}`);
    check(before.size > 300, `the old history's catalog was read (${before.size} entries)`);
    const unexplained = differences.filter((d) => !ALLOWED.some((a) => a.covers(d)));
    check(
      unexplained.length === 0,
      `the baseline equals the old history apart from the named differences; unexplained:\n    ${
        unexplained.map((d) => d.slice(0, 400)).join("\n    ")
      }`,
    );
    for (const allowed of ALLOWED) {
      check(differences.some((d) => allowed.covers(d)), `named difference occurs: ${allowed.name}`);
    }
  } catch (error) {
    result.failed++;
    result.problems.push(`baseline equivalence crashed: ${(error as Error).message}`);
  } finally {
    await old.stop();
    await baseline.stop();
    rmSync(workdir, { recursive: true, force: true });
  }
  return result;
}
