// The devstack's Postgres: a throwaway system cluster when PostgreSQL binaries exist, else PGlite.
// Also re-exports the migration and demo-data helpers so callers import one module.
import {
  PostgresUnavailable,
  startSystemCluster,
  systemBinariesPresent,
} from "./system-cluster.ts";

export { applyMigrations, MigrationFailed, migrationFiles } from "./migrations.ts";
export { createAgent, createDemoData, createUser } from "./demo-data.ts";
export type { DemoAgent, DemoUser, UserRole } from "./demo-data.ts";
export { PostgresUnavailable } from "./system-cluster.ts";

export interface StartedPostgres {
  kind: "system" | "pglite";
  url: string;
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
    const cluster = await startSystemCluster(options);
    return {
      kind: "system",
      url: cluster.url,
      description: `PostgreSQL (system binaries, port ${cluster.port})`,
      stop: () => cluster.stop(),
    };
  }
  throw new PostgresUnavailable(
    "no PostgreSQL binaries (apt-get install -y postgresql-15) and the PGlite fallback needs " +
      "@electric-sql/pglite-socket to serve a postgres:// URL, which is not installed",
  );
}
