// The devstack's Postgres, set up as hosted Supabase sets up its own: a throwaway system cluster whose
// superuser is supabase_admin, with the hosted base applied, reached as the non-superuser `postgres`;
// without PostgreSQL binaries, PGlite with the same base (pglite.ts says what differs).
// Also re-exports the migration and demo-data helpers so callers import one module.
import postgres from "postgres";
import { startPgliteDatabase } from "./pglite-cluster.ts";
import {
  PostgresUnavailable,
  startSystemCluster,
  systemBinariesPresent,
} from "./system-cluster.ts";

import { applySupabaseBase, MigrationFailed } from "./migrations.ts";
import { pgliteBaseSql } from "./pglite.ts";

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
  const base = postgres(main.url, { max: 1, onnotice: () => {} });
  try {
    await base.begin((tx) => tx.unsafe(pgliteBaseSql()));
  } catch (error) {
    await main.stop();
    throw new MigrationFailed("devstack/src/postgres/supabase-base.sql (PGlite)", error);
  } finally {
    await base.end();
  }
  return {
    kind: "pglite",
    url: main.url,
    // PGlite's bootstrap `postgres` keeps SUPERUSER (PostgreSQL refuses to demote it): one URL for both.
    adminUrl: main.url,
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
