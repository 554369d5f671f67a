// `bun bench/db/run.ts`: loads 1,000,000 elementos through ingest_planillas in batches, the same rows
// through COPY into a table of the same shape, and re-ingests the unchanged rows. Prints rows/s
// and the ratio to COPY, and writes bench/results/db.json. PUENTE_BENCH_ELEMENTOS=N runs a smaller
// load; `bun bench/db/profile.ts` shows where the time goes, statement by statement. Then it runs
// bench/db/timeouts.ts (every RPC against its role's hosted statement_timeout, bench/results/rpc-timeouts.json).
import postgres from "postgres";
import { round, writeResult } from "../results.ts";
import { readStat } from "../e2e/cpu.ts";
import { copyLine, makeBatches, makePlanillas, PLANILLAS_PER_BATCH } from "./dataset.ts";
import { startIngestDatabase } from "./database.ts";

const TOTAL_ELEMENTOS = Number(process.env.PUENTE_BENCH_ELEMENTOS ?? 1_000_000);

/**
 * The COPY target has elementos' shape, so the comparison is fair: LIKE … INCLUDING ALL brings the
 * columns, defaults, checks, primary key and indexes; foreign keys (LIKE leaves them out) are added the
 * same way elementos has them. A trigger on elementos would also have to be on the copy: refuse to run.
 */
async function createCopyTarget(sql: postgres.Sql): Promise<void> {
  await sql`create table public.bench_elementos (like public.elementos including all)`;
  const foreignKeys = await sql<{ def: string }[]>`
    select pg_get_constraintdef(oid) as def from pg_constraint
    where conrelid = 'public.elementos'::regclass and contype = 'f'`;
  for (const { def } of foreignKeys) {
    await sql.unsafe(`alter table public.bench_elementos add ${def}`);
  }
  const [triggers] = await sql<{ n: number }[]>`
    select count(*)::int as n from pg_trigger
    where tgrelid = 'public.elementos'::regclass and not tgisinternal`;
  if (triggers!.n > 0) {
    throw new Error("elementos has triggers: give bench_elementos the same ones before comparing");
  }
}

/**
 * CPU milliseconds the server process has used (Linux /proc), or null where it cannot be read. Wall
 * clock is the benchmark's measure; CPU time is recorded beside it because it moves far less when other
 * work shares the machine, so a ratio measured on a busy machine can still be judged. Linux counts in
 * ticks of 10 ms (USER_HZ 100).
 */
function backendCpuMs(pid: number): number | null {
  const stat = readStat(pid);
  return stat ? Math.round(stat.cpuS * 1000) : null;
}

const db = await startIngestDatabase("bench");
try {
  const { sql } = db;
  await sql`set role service_role`;
  const runId = await db.openFullRun();
  const [backend] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
  const cpuSince = (start: number | null) => {
    const now = backendCpuMs(backend!.pid);
    return start === null || now === null ? null : now - start;
  };
  const planillas = makePlanillas(TOTAL_ELEMENTOS);
  const batches = makeBatches(planillas);
  const ingestAll = async (seqOffset: number) => {
    const counts = { created: 0, unchanged: 0 };
    const cpuStart = backendCpuMs(backend!.pid);
    const started = performance.now();
    for (const [i, batch] of batches.entries()) {
      const [row] = await sql<
        { r: { counts: { elementos: { created: number; unchanged: number } } } }[]
      >`select public.ingest_planillas(${db.agentKey}, ${runId}, ${
        seqOffset + i
      }, (${batch}::text)::jsonb) as r`;
      counts.created += row!.r.counts.elementos.created;
      counts.unchanged += row!.r.counts.elementos.unchanged;
    }
    const seconds = (performance.now() - started) / 1000;
    return { seconds, cpuMs: cpuSince(cpuStart), ...counts };
  };

  console.log(
    `db bench: ${TOTAL_ELEMENTOS} elementos in ${planillas.length} planillas, ${batches.length} batches`,
  );
  const first = await ingestAll(0);
  if (first.created !== TOTAL_ELEMENTOS) {
    throw new Error(`first load created ${first.created} of ${TOTAL_ELEMENTOS} elementos`);
  }
  // Straight after the load, the first reads of the new rows still pay for setting their hint bits
  // and the planner still has the statistics of a small table. A later sync finds them vacuumed
  // and analysed (autovacuum does it after a bulk insert), so the re-ingest is measured that way,
  // and the one straight after the load is kept in the notes.
  const cold = await ingestAll(batches.length);
  await sql`reset role`;
  await sql`vacuum analyze public.planillas, public.elementos, public.entidades`;
  await sql`set role service_role`;
  const again = await ingestAll(2 * batches.length);
  for (const pass of [cold, again]) {
    if (pass.unchanged !== TOTAL_ELEMENTOS) {
      throw new Error(`re-ingest found ${pass.unchanged} of ${TOTAL_ELEMENTOS} unchanged`);
    }
  }

  // The floor under ingest: the same requests doing nothing but turning each batch's text into the
  // jsonb argument, as every call to the RPC must before its first statement runs.
  const parseCpuStart = backendCpuMs(backend!.pid);
  const parseStarted = performance.now();
  for (const batch of batches) await sql`select (${batch}::text)::jsonb is not null as ok`;
  const parseSeconds = (performance.now() - parseStarted) / 1000;
  const parseCpuMs = cpuSince(parseCpuStart);

  await sql`reset role`;
  await createCopyTarget(sql);
  const copyCpuStart = backendCpuMs(backend!.pid);
  const copyStarted = performance.now();
  const writable = await sql`copy public.bench_elementos from stdin`.writable();
  await new Promise<void>((resolve, reject) => {
    writable.on("error", reject);
    writable.on("finish", resolve);
    let chunk = "";
    for (const planilla of planillas) {
      for (const e of planilla.elementos) chunk += copyLine(planilla.codigo, e);
      if (chunk.length > 1 << 20) {
        writable.write(chunk);
        chunk = "";
      }
    }
    writable.end(chunk);
  });
  const copySeconds = (performance.now() - copyStarted) / 1000;
  const copyCpuMs = cpuSince(copyCpuStart);
  const [copied] = await sql<
    { n: number }[]
  >`select count(*)::int as n from public.bench_elementos`;
  if (copied?.n !== TOTAL_ELEMENTOS) throw new Error(`COPY stored ${copied?.n} rows`);
  const [version] = await sql<{ v: string }[]>`select current_setting('server_version') as v`;

  const ingestRate = TOTAL_ELEMENTOS / first.seconds;
  const copyRate = TOTAL_ELEMENTOS / copySeconds;
  const reingestRate = TOTAL_ELEMENTOS / again.seconds;
  const parseRate = TOTAL_ELEMENTOS / parseSeconds;
  writeResult(
    "db",
    {
      ingest_rows_per_s: Math.round(ingestRate),
      copy_rows_per_s: Math.round(copyRate),
      ratio_vs_copy: round(ingestRate / copyRate, 3),
      reingest_rows_per_s: Math.round(reingestRate),
    },
    { postgres: version?.v ?? "unknown", "postgres.js": "3.4.9" },
    {
      elementos: TOTAL_ELEMENTOS,
      planillas: planillas.length,
      batches: batches.length,
      planillas_per_batch: PLANILLAS_PER_BATCH,
      connections: 1,
      reingest_before_vacuum_rows_per_s: Math.round(TOTAL_ELEMENTOS / cold.seconds),
      jsonb_argument_only_rows_per_s: Math.round(parseRate),
      ...(first.cpuMs && again.cpuMs && copyCpuMs && parseCpuMs
        ? {
          ingest_backend_cpu_ms: first.cpuMs,
          reingest_backend_cpu_ms: again.cpuMs,
          reingest_before_vacuum_backend_cpu_ms: cold.cpuMs ?? 0,
          copy_backend_cpu_ms: copyCpuMs,
          jsonb_argument_only_backend_cpu_ms: parseCpuMs,
          ratio_vs_copy_by_backend_cpu: round(copyCpuMs / first.cpuMs, 3),
          ratio_ceiling_by_backend_cpu: round(copyCpuMs / parseCpuMs, 3),
        }
        : {}),
      note:
        "one connection each; COPY into a table shaped like elementos (columns, checks, primary key, indexes, foreign keys: elementos has none)",
    },
  );
} finally {
  await db.stop();
}

// The RPC timeout figure (bench/db/timeouts.ts) needs the e2e-sized dataset on a database of its own.
const timeouts = Bun.spawn({
  cmd: [process.execPath, new URL("./timeouts.ts", import.meta.url).pathname],
  stdio: ["ignore", "inherit", "inherit"],
});
if ((await timeouts.exited) !== 0) process.exit(1);
