// Sets a database up the way hosted Supabase does and applies supabase/migrations the way a deploy
// does: the hosted base as the superuser supabase_admin, then the real `supabase db push` connected as
// the non-superuser `postgres`. PGlite, which the CLI cannot reach, gets the same files in the same
// order from applyMigrationFiles.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";

export const REPO_ROOT = join(import.meta.dir, "..", "..", "..");
export const MIGRATIONS_DIR = join(REPO_ROOT, "supabase", "migrations");
export const SUPABASE_BASE_SQL = join(import.meta.dir, "supabase-base.sql");
const SUPABASE_CLI = join(REPO_ROOT, "node_modules", ".bin", "supabase");

export class MigrationFailed extends Error {
  override name = "MigrationFailed";
  constructor(readonly file: string, cause: unknown) {
    super(
      `migration ${file} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/** The migration files in the order they apply. */
export function migrationFiles(dir = MIGRATIONS_DIR): string[] {
  return readdirSync(dir).filter((f) => /^\d{14}_[a-z0-9_]+\.sql$/.test(f)).sort();
}

/** Runs the hosted Supabase base (supabase-base.sql) once, connected as supabase_admin. */
export async function applySupabaseBase(adminUrl: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.begin((tx) => tx.unsafe(readFileSync(SUPABASE_BASE_SQL, "utf8")));
  } catch (error) {
    throw new MigrationFailed("devstack/src/postgres/supabase-base.sql", error);
  } finally {
    await sql.end();
  }
}

/**
 * `supabase db push --remote=<url> --yes`, exactly as README's deploy section runs it, against `url`
 * (the non-superuser `postgres`). `workdir` holds the supabase/ folder (default: this repository).
 * Returns the migration names the CLI reported applying.
 */
export async function applyMigrations(
  url: string,
  options: { workdir?: string } = {},
): Promise<string[]> {
  const child = Bun.spawn({
    cmd: [
      SUPABASE_CLI,
      "db",
      "push",
      `--remote=${url}`,
      "--yes",
      "--workdir",
      options.workdir ?? REPO_ROOT,
    ],
    // The CLI would otherwise try to reach api.supabase.com for telemetry and updates.
    env: { ...process.env, DO_NOT_TRACK: "1", SUPABASE_TELEMETRY_DISABLED: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  const output = `${stdout}${stderr}`;
  if (code !== 0) {
    const failing = /Applying migration (\S+)\.\.\.(?![\s\S]*Applying migration)/.exec(output);
    throw new MigrationFailed(
      failing?.[1] ?? "supabase db push",
      new Error(output.trim().split("\n").slice(-6).join("\n")),
    );
  }
  return [...output.matchAll(/Applying migration (\S+)\.\.\./g)].map((m) => m[1]!);
}

/**
 * What the CLI does, for a database it cannot reach (PGlite): every migration in name order, each in
 * its own transaction, through `exec`. Returns the names applied.
 */
export async function applyMigrationFiles(
  exec: (sql: string) => Promise<unknown>,
  dir = MIGRATIONS_DIR,
): Promise<string[]> {
  const names = migrationFiles(dir);
  for (const name of names) {
    try {
      await exec(readFileSync(join(dir, name), "utf8"));
    } catch (error) {
      throw new MigrationFailed(name, error);
    }
  }
  return names;
}
