// The devstack's Postgres, set up as hosted Supabase sets up its own: a throwaway system cluster whose
// superuser is supabase_admin, with the hosted base applied, reached as the non-superuser `postgres`.
// Also re-exports the migration and demo-data helpers so callers import one module.
import {
  PostgresUnavailable,
  startSystemCluster,
  systemBinariesPresent,
} from "./system-cluster.ts";

import { applySupabaseBase } from "./migrations.ts";

export {
  applyMigrationFiles,
  applyMigrations,
  applySupabaseBase,
  MigrationFailed,
  migrationFiles,
} from "./migrations.ts";
export { createAgent, createDemoData, createUser } from "./demo-data.ts";
export type { DemoAgent, DemoUser, UserRole } from "./demo-data.ts";
export { PostgresUnavailable } from "./system-cluster.ts";

export interface StartedPostgres {
  kind: "system" | "pglite";
  /** As `postgres`: NOSUPERUSER CREATEDB CREATEROLE REPLICATION BYPASSRLS, as on hosted Supabase. */
  url: string;
  /** As the superuser supabase_admin, for what only the platform does (never for migrations). */
  adminUrl: string;
  /** e.g. "PostgreSQL 15.x (system binaries)". */
  description: string;
  stop(): Promise<void>;
}

/**
 * Starts an empty database. System binaries first; PGlite would need a socket server to be reachable
 * by URL (@electric-sql/pglite-socket), which is not installed, so without binaries this fails clearly.
 */
export async function startPostgres(
  options: { settings?: Record<string, string | number> } = {},
): Promise<StartedPostgres> {
  if (systemBinariesPresent()) {
    const cluster = await startSystemCluster({ ...options, superuser: "supabase_admin" });
    try {
      await applySupabaseBase(cluster.url);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return {
      kind: "system",
      url: cluster.url.replace("//supabase_admin@", "//postgres@"),
      adminUrl: cluster.url,
      description: `PostgreSQL (system binaries, port ${cluster.port})`,
      stop: () => cluster.stop(),
    };
  }
  throw new PostgresUnavailable(
    "no PostgreSQL binaries (apt-get install -y postgresql-15) and the PGlite fallback needs " +
      "@electric-sql/pglite-socket to serve a postgres:// URL, which is not installed",
  );
}
