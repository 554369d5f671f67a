// Wispro benchmark, the whole path: 10,000 clients from the Wispro stand-in at 150 ms per page, 100
// per page, through `puente-agent sync wispro` (run from source) → edge → gateway → Postgres
// (ingest_customers). The wall time runs from spawning the command to its exit, with the run
// finished in the database; it is printed beside the 12 minutes the replaced job took. A second,
// no-change run is measured too.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import type { RunCounts } from "@puente/protocol";
import { startStack } from "../../devstack/src/stack.ts";
import { agentSpawnOptions, newAgentHome } from "../../devstack/src/agent-process.ts";
import { packageVersion, writeResult } from "../results.ts";

const CLIENTS = 10_000;
const PER_PAGE = 100;
const LATENCY_MS = 150;
const OLD_JOB_BASELINE_S = 12 * 60;
const TARGET_S = 10;

interface Outcome {
  runId: string;
  status: string;
  done: number;
  error?: { message: string } | null;
  counts: RunCounts;
}

const stack = await startStack({ planillas: 5, wisproClients: CLIENTS, seed: 42 });
const sql = postgres(stack.info.dbUrl, { max: 1, onnotice: () => {} });

/** From the agent's log: seconds from the run opening to every page read, and from then to the finish. */
function phases(home: string, runId: string): { fetch_s: number; ingest_s: number } {
  const lines = readdirSync(home).filter((f) => f.endsWith(".log"))
    .flatMap((f) => readFileSync(join(home, f), "utf8").split("\n"));
  const at = (pattern: RegExp) => {
    const line = lines.find((l) => pattern.test(l));
    return line ? Date.parse(line.slice(0, 24)) : NaN;
  };
  const opened = at(new RegExp(`run ${runId}: wispro .* opened`));
  const read = at(/wispro: read \d+ page\(s\) from Wispro/);
  const finished = at(new RegExp(`run ${runId}: completed`));
  return { fetch_s: (read - opened) / 1000, ingest_s: (finished - read) / 1000 };
}

/** One `puente-agent sync wispro --json`, timed from spawn to exit. */
async function timedSync(home: string): Promise<{ wallS: number; outcome: Outcome }> {
  const started = performance.now();
  const child = Bun.spawn({
    ...agentSpawnOptions(stack.info, ["sync", "wispro", "--json"], home, {
      WISPRO_PER_PAGE: String(PER_PAGE),
    }),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  const wallS = (performance.now() - started) / 1000;
  const start = out.indexOf("{");
  if (start < 0) throw new Error(`the sync printed no result: ${err.slice(-2000)}`);
  const outcome = JSON.parse(out.slice(start)) as Outcome;
  if (outcome.status !== "completed") {
    throw new Error(
      `the sync ended ${outcome.status}: ${outcome.error?.message ?? err.slice(-2000)}`,
    );
  }
  return { wallS, outcome };
}

try {
  stack.wispro.faults.latencyMs = LATENCY_MS;
  const home = newAgentHome();
  const first = await timedSync(home);
  const [stored] = await sql<{ n: number }[]>`select count(*)::int as n from public.customers`;
  const [run] = await sql<{ status: string; server_s: number }[]>`
    select status, extract(epoch from finished_at - created_at)::float8 as server_s
    from public.runs where id = ${first.outcome.runId}`;
  const counts = first.outcome.counts.customers!;
  if (run?.status !== "completed" || counts.created + counts.rejected !== CLIENTS) {
    throw new Error(`expected ${CLIENTS} clients handled, got ${JSON.stringify(counts)}`);
  }
  if (stored?.n !== counts.created) {
    throw new Error(`the database holds ${stored?.n} customers, the run created ${counts.created}`);
  }
  const requests = stack.wispro.requests().length;
  const split = phases(home, first.outcome.runId);
  const rerun = await timedSync(home);
  if (rerun.outcome.counts.customers?.unchanged !== counts.created) {
    throw new Error(`the no-change rerun counted ${JSON.stringify(rerun.outcome.counts)}`);
  }

  console.log(
    `\nWispro: ${CLIENTS} clients, ${PER_PAGE} per page, ${LATENCY_MS} ms per page, agent → edge → Postgres`,
  );
  console.table([
    { run: "puente: first sync (command to run finished)", wall_s: +first.wallS.toFixed(2) },
    { run: "puente: no-change rerun", wall_s: +rerun.wallS.toFixed(2) },
    { run: "old job (baseline)", wall_s: OLD_JOB_BASELINE_S },
  ]);
  writeResult(
    "wispro",
    {
      wall_s: +first.wallS.toFixed(3),
      clients: CLIENTS,
      run_server_s: +(run.server_s ?? 0).toFixed(3),
      fetch_s: +split.fetch_s.toFixed(3),
      ingest_s: +split.ingest_s.toFixed(3),
      rerun_wall_s: +rerun.wallS.toFixed(3),
      customers_created: counts.created,
      rejects: counts.rejected,
      wispro_requests: requests,
      baseline_s: OLD_JOB_BASELINE_S,
      speedup_vs_baseline: +(OLD_JOB_BASELINE_S / first.wallS).toFixed(1),
    },
    { ky: packageVersion("ky"), zod: packageVersion("zod"), postgres: packageVersion("postgres") },
    {
      scope: "whole path: agent process start, every page fetched and validated, then batches " +
        "through edge and gateway into ingest_customers; wall from spawn to exit",
      per_page: PER_PAGE,
      latency_ms: LATENCY_MS,
      concurrency: "WISPRO_CONCURRENCY default (4 pages in flight)",
      batches_in_flight: "PUENTE_MAX_IN_FLIGHT default (3)",
      target_s: TARGET_S,
    },
  );
  if (first.wallS >= TARGET_S) {
    console.error(`wispro: ${first.wallS.toFixed(2)} s is over the ${TARGET_S} s target`);
    process.exitCode = 1;
  }
} finally {
  await sql.end();
  await stack.stop();
}
