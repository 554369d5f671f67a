// Applies the Supabase-compatible base and then every supabase/migrations/*.sql in name order,
// each file in its own transaction, so a broken migration leaves the database as it was before it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";

export const REPO_ROOT = join(import.meta.dir, "..", "..", "..");
export const MIGRATIONS_DIR = join(REPO_ROOT, "supabase", "migrations");
export const SUPABASE_BASE_SQL = join(import.meta.dir, "supabase-base.sql");

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

/** Applies the base and the migrations; returns the names applied (the base first). */
export async function applyMigrations(
  url: string,
  options: { dir?: string; base?: boolean } = {},
): Promise<string[]> {
  const dir = options.dir ?? MIGRATIONS_DIR;
  const files = [
    ...(options.base === false ? [] : [SUPABASE_BASE_SQL]),
    ...migrationFiles(dir).map((f) => join(dir, f)),
  ];
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      try {
        await sql.begin((tx) => tx.unsafe(text));
      } catch (error) {
        throw new MigrationFailed(file.slice(REPO_ROOT.length + 1), error);
      }
    }
  } finally {
    await sql.end();
  }
  return files.map((f) => f.slice(REPO_ROOT.length + 1));
}
