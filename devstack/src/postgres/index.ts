// The devstack's Postgres: a throwaway system cluster when PostgreSQL binaries exist, else PGlite.
// Also re-exports the migration and demo-data helpers so callers import one module.
import postgres from "postgres";
import { startPgliteDatabase } from "./pglite-cluster.ts";
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
  /** e.g. "PostgreSQL (system binaries, port 5433)". */
  description: string;
  /** Creates another empty database beside this one and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** A database name that needs no quoting. */
function plainName(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: "${name}"`);
  return name;
}

/** Which Postgres the devstack runs: `PUENTE_POSTGRES=system|pglite`, else system when present. */
export function postgresKind(): "system" | "pglite" {
  const wanted = process.env.PUENTE_POSTGRES ?? "";
  if (wanted === "system" || wanted === "pglite") return wanted;
  if (wanted !== "" && wanted !== "auto") {
    throw new PostgresUnavailable(
      `PUENTE_POSTGRES must be "system", "pglite" or "auto", not "${wanted}"`,
    );
  }
  return systemBinariesPresent() ? "system" : "pglite";
}

/**
 * Starts an empty database: a throwaway cluster from the system's PostgreSQL 15 binaries when they
 * exist, else PGlite (PostgreSQL 18 in WebAssembly, from npm), so that no system package is needed.
 */
export async function startPostgres(
  options: { settings?: Record<string, string | number> } = {},
): Promise<StartedPostgres> {
  if (postgresKind() === "system") {
    const cluster = await startSystemCluster(options);
    return {
      kind: "system",
      url: cluster.url,
      description: `PostgreSQL (system binaries, port ${cluster.port})`,
      createDatabase: async (name) => {
        const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
        try {
          await admin.unsafe(`create database ${plainName(name)}`);
        } finally {
          await admin.end();
        }
        return cluster.url.replace(/\/postgres$/, `/${name}`);
      },
      stop: () => cluster.stop(),
    };
  }
  const databases = [await startPgliteDatabase("postgres")];
  const main = databases[0]!;
  return {
    kind: "pglite",
    url: main.url,
    description: `PGlite ${main.version} (WebAssembly, port ${main.port}; no PostgreSQL binaries)`,
    // PGlite holds one database, so each further database is another PGlite.
    createDatabase: async (name) => {
      const database = await startPgliteDatabase(name);
      databases.push(database);
      return database.url;
    },
    stop: async () => {
      for (const database of databases.reverse()) await database.stop();
    },
  };
}
