// `bun bench/db/profile.ts [elementos]`: where ingest_planillas spends its time. Loads the db bench's
// dataset (200,000 elementos by default) with pg_stat_statements tracking the statements inside the
// function, then re-ingests it unchanged, and prints each phase's statements by total time (execution
// and planning), so a change to the RPC can be judged statement by statement.
import postgres from "postgres";
import { applyMigrations, createAgent, startPostgres } from "../../devstack/src/postgres/index.ts";
import { makeBatches, makePlanillas } from "./dataset.ts";

const total = Number(process.argv[2] ?? 200_000);
const pg = await startPostgres({
  settings: {
    shared_buffers: "512MB",
    max_wal_size: "8GB",
    shared_preload_libraries: "pg_stat_statements",
    "pg_stat_statements.track": "all",
    "pg_stat_statements.track_planning": "on",
  },
});
try {
  await applyMigrations(pg.url);
  const agent = await createAgent(pg.url, "profile");
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  try {
    await sql`create extension pg_stat_statements`;
    const [opened] = await sql<{ r: { id: string } }[]>`
      select public.open_run(${agent.key}, '{"source":"ferrawin","params":{"mode":"all"}}') as r`;
    const runId = opened!.r.id;
    const batches = makeBatches(makePlanillas(total));
    const phase = async (name: string, seqOffset: number) => {
      await sql`select pg_stat_statements_reset()`;
      const started = performance.now();
      for (const [i, batch] of batches.entries()) {
        await sql`select public.ingest_planillas(${agent.key}, ${runId}, ${
          seqOffset + i
        }, (${batch}::text)::jsonb)`;
      }
      const wallMs = performance.now() - started;
      const rows = await sql<
        { ms: number; plan_ms: number; calls: number; rows: number; query: string }[]
      >`
        select round((total_exec_time)::numeric, 1)::float as ms,
          round(total_plan_time::numeric, 1)::float as plan_ms, calls::int, rows::int,
          left(regexp_replace(query, '\\s+', ' ', 'g'), 110) as query
        from pg_stat_statements
        where query not like '%pg_stat_statements%'
        order by total_exec_time + total_plan_time desc limit 16`;
      console.log(
        `\n${name}: ${total} elementos in ${wallMs.toFixed(0)} ms (${
          Math.round(total / (wallMs / 1000))
        } rows/s)`,
      );
      console.table(rows);
    };
    await phase("first load", 0);
    await phase("re-ingest unchanged", batches.length);
  } finally {
    await sql.end();
  }
} finally {
  await pg.stop();
}
