// The hosted-like database on PGlite (PostgreSQL 18 in WASM), for machines without PostgreSQL binaries.
// Served over the wire (pglite-server.ts), the devstack's PGlite takes the migrations from the real
// `supabase db push` like the system cluster; an in-process PGlite (startHostedPGlite, for tests) has no
// port for the CLI, so it gets the same files in the same order through applyMigrationFiles. One difference from hosted Supabase remains: PGlite's
// only session user is its bootstrap superuser `postgres`, and PostgreSQL refuses to take SUPERUSER
// from the bootstrap user, so here `postgres` keeps it (devstack/README.md says so).
import { readFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { pgcrypto } from "@electric-sql/pglite/contrib/pgcrypto";
import { applyMigrationFiles, MigrationFailed, SUPABASE_BASE_SQL } from "./migrations.ts";

/** The hosted base's statements that cannot run as written on PGlite, and what runs instead. */
const PGLITE_BASE_CHANGES: [string, string][] = [
  // `postgres` already exists (the bootstrap user); supabase_admin is created instead.
  ["create role postgres superuser login;", "create role supabase_admin superuser login;"],
  [
    "alter role postgres nosuperuser createdb createrole login replication bypassrls;",
    "alter role postgres createdb createrole login replication bypassrls;",
  ],
];

export function pgliteBaseSql(): string {
  let sql = readFileSync(SUPABASE_BASE_SQL, "utf8");
  for (const [from, to] of PGLITE_BASE_CHANGES) {
    if (!sql.includes(from)) throw new Error(`supabase-base.sql no longer contains: ${from}`);
    sql = sql.replace(from, to);
  }
  return sql;
}

/** A new in-memory PGlite with the hosted base and, unless `migrate` is false, every migration. */
export async function startHostedPGlite(options: { migrate?: boolean } = {}): Promise<PGlite> {
  const db = await PGlite.create({ extensions: { pgcrypto } });
  try {
    try {
      await db.transaction((tx) => tx.exec(pgliteBaseSql()));
    } catch (error) {
      throw new MigrationFailed("devstack/src/postgres/supabase-base.sql (PGlite)", error);
    }
    if (options.migrate !== false) {
      await applyMigrationFiles((text) => db.transaction((tx) => tx.exec(text)));
    }
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
