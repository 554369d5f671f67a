// The db benchmarks' database: a throwaway Postgres sized for a million-row load, with the migrations
// applied and one agent, reached over a single connection.
import postgres from "postgres";
import { applyMigrations, createAgent, startPostgres } from "../../devstack/src/postgres/index.ts";

export interface IngestDatabase {
  /** As `postgres`, the non-superuser that hosted Supabase gives a project. */
  sql: postgres.Sql;
  /** As the superuser supabase_admin, for what only the platform does (extensions such as pgTAP). */
  adminUrl: string;
  agentKey: string;
  /** Opens a full FerraWin run for the agent, as the connection's current role; returns its id. */
  openFullRun(): Promise<string>;
  /** Closes the connection and stops Postgres. */
  stop(): Promise<void>;
}

/** Starts Postgres with `settings` on top of the bulk-load ones, migrated, with agent `agentName`. */
export async function startIngestDatabase(
  agentName: string,
  settings: Record<string, string | number> = {},
): Promise<IngestDatabase> {
  const pg = await startPostgres({
    settings: { shared_buffers: "512MB", max_wal_size: "8GB", ...settings },
  });
  try {
    await applyMigrations(pg.url);
    const agent = await createAgent(pg.url, agentName);
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    return {
      sql,
      adminUrl: pg.adminUrl,
      agentKey: agent.key,
      async openFullRun() {
        const [opened] = await sql<{ r: { id: string } }[]>`
          select public.open_run(${agent.key}, '{"source":"ferrawin","params":{"mode":"all"}}') as r`;
        return opened!.r.id;
      },
      async stop() {
        try {
          await sql.end();
        } finally {
          await pg.stop();
        }
      },
    };
  } catch (error) {
    await pg.stop();
    throw error;
  }
}
