// Agent memory: the agent process's peak RSS while it syncs FerraWin through the real path (devstack SQL
// Server stand-in → tedious → agent → edge → gateway → Postgres), at two dataset sizes, to show the peak
// does not grow with the data. Target: under 200 MB with at least 1,000,000 elementos.
// `--planillas N` sets the large size (default 20,500 ≈ 1.04 M elementos), `--small-planillas N` the
// small one (default 5,000 ≈ 250 k); the peak is VmHWM of the agent child, read from /proc while it runs.
import { parseArgs } from "node:util";
import postgres from "postgres";
import { startStack } from "../../devstack/src/stack.ts";
import { agentSpawnOptions, newAgentHome } from "../../devstack/src/agent-process.ts";
import { killWhenOwnerExits } from "../../devstack/src/process-guard.ts";
import { round, writeResult } from "../results.ts";
import { sampleMemory } from "../e2e/cpu.ts";

const TARGET_MB = 200;

const { values } = parseArgs({
  options: {
    planillas: { type: "string", default: "20500" },
    "small-planillas": { type: "string", default: "5000" },
    seed: { type: "string", default: "1" },
  },
  strict: false,
});
const sizes = [Number(values["small-planillas"]), Number(values.planillas)];
const seed = Number(values.seed);
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
  console.error("--planillas and --small-planillas must be positive whole numbers");
  process.exit(2);
}

interface Measurement {
  planillas: number;
  elementos: number;
  peakRssMb: number;
  /** The median of the RSS samples: where the agent sits while it streams. */
  medianRssMb: number;
  wallS: number;
  samples: number;
}

async function measure(planillas: number): Promise<Measurement> {
  console.log(`\n${planillas} planillas: starting the devstack and loading the fixture…`);
  const stack = await startStack({ planillas, seed, wisproClients: 10 });
  try {
    const child = Bun.spawn({
      ...agentSpawnOptions(
        stack.info,
        ["sync", "ferrawin", "--mode", "all", "--json"],
        newAgentHome(),
      ),
      stdout: "pipe",
      stderr: "ignore",
    });
    killWhenOwnerExits(child.pid);
    const started = performance.now();
    const sampler = sampleMemory(child.pid);
    const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    const { peakKb, rssKb } = sampler.stop();
    const wallS = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`the agent exited ${code}: ${out.slice(-2000)}`);
    const outcome = JSON.parse(out.slice(out.indexOf("{"))) as { status: string };
    if (outcome.status !== "completed") throw new Error(`the run ended ${outcome.status}`);

    const sql = postgres(stack.info.dbUrl, { max: 1, onnotice: () => {} });
    const [row] = await sql<{ elementos: number }[]>`
      select count(*)::int as elementos from public.elementos`;
    await sql.end();
    const mb = (kb: number) => round(kb / 1024);
    const sorted = rssKb.toSorted((a, b) => a - b);
    const measurement = {
      planillas,
      elementos: row!.elementos,
      peakRssMb: mb(peakKb),
      medianRssMb: mb(sorted[Math.floor(sorted.length / 2)] ?? 0),
      wallS: round(wallS),
      samples: rssKb.length,
    };
    console.log(
      `${measurement.elementos} elementos in ${measurement.wallS} s: agent peak RSS ${measurement.peakRssMb} MB, median ${measurement.medianRssMb} MB (${measurement.samples} samples)`,
    );
    return measurement;
  } finally {
    await stack.stop();
  }
}

const [small, large] = [await measure(sizes[0]!), await measure(sizes[1]!)];
writeResult(
  "agent",
  {
    peak_rss_mb: large.peakRssMb,
    elementos: large.elementos,
    wall_s: large.wallS,
    elementos_per_s: Math.round(large.elementos / large.wallS),
    median_rss_mb: large.medianRssMb,
    small_peak_rss_mb: small.peakRssMb,
    small_median_rss_mb: small.medianRssMb,
    small_elementos: small.elementos,
    rss_growth_ratio: round(large.peakRssMb / small.peakRssMb, 2),
  },
  {},
  {
    path: "SQL Server stand-in → tedious → agent (bun, from source) → edge → gateway → Postgres 15",
    sampling: "VmHWM / VmRSS of the agent process from /proc/<pid>/status every 100 ms",
    throughput:
      "elementos_per_s is for the whole path on a shared 2-core machine, not the agent alone",
    batch: "defaults: 50 planillas or 5,000 elementos, 3 in flight",
    target: `peak_rss_mb < ${TARGET_MB} with elementos >= 1,000,000`,
    growth:
      "what grows with the dataset is the FerraWin source's list of selected headers, held for the run (~1 KB of heap per planilla)",
    seed,
  },
);
if (large.peakRssMb >= TARGET_MB) {
  console.error(`agent peak RSS ${large.peakRssMb} MB is over the ${TARGET_MB} MB target`);
  process.exit(1);
}
