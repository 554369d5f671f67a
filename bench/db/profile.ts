// `bun bench/db/profile.ts [elementos]`: where ingest_planillas spends its time. Loads the db bench's
// dataset (200,000 elementos by default) with pg_stat_statements tracking the statements inside the
// function, then re-ingests it unchanged, and prints each phase's statements by total time (execution
// and planning), so a change to the RPC can be judged statement by statement.
import postgres from "postgres";
import { makeBatches, makePlanillas } from "./dataset.ts";
import { startIngestDatabase } from "./database.ts";

const total = Number(process.argv[2] ?? 200_000);
const db = await startIngestDatabase("profile", {
  shared_preload_libraries: "pg_stat_statements",
  "pg_stat_statements.track": "all",
  "pg_stat_statements.track_planning": "on",
});
try {
  const { sql } = db;
  // Not a trusted extension: on hosted Supabase the platform installs it, here supabase_admin does.
  const admin = postgres(db.adminUrl, { max: 1, onnotice: () => {} });
  await admin`create extension pg_stat_statements with schema extensions`;
  await admin.end();
  const runId = await db.openFullRun();
  const batches = makeBatches(makePlanillas(total));
  const phase = async (name: string, seqOffset: number) => {
    await sql`select pg_stat_statements_reset()`;
    const started = performance.now();
    for (const [i, batch] of batches.entries()) {
      await sql`select public.ingest_planillas(${db.agentKey}, ${runId}, ${
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
  await db.stop();
}
