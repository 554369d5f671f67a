// `npm run bench -- pglite [--planillas N]`: how much slower the devstack is on PGlite (PostgreSQL 18
// in WebAssembly, the database of machines without PostgreSQL binaries) than on the system's
// PostgreSQL 15, in the same run on the same generated dataset: the time to a ready stack, and a full
// FerraWin sync by the agent from spawn to exit. Ratios are PGlite over system.
import { parseArgs } from "node:util";
import postgres from "postgres";
import { startStack } from "../../devstack/src/stack.ts";
import { agentSpawnOptions, newAgentHome } from "../../devstack/src/agent-process.ts";
import { systemBinariesPresent } from "../../devstack/src/postgres/system-cluster.ts";
import { packageVersion, round, writeResult } from "../results.ts";

const { values } = parseArgs({
  options: { planillas: { type: "string", default: "400" } },
  allowPositionals: true,
  strict: false,
});
const planillas = Number(values.planillas);
if (!systemBinariesPresent()) {
  console.error("bench pglite compares with the system's PostgreSQL 15, which is not installed");
  process.exit(1);
}

interface Measure {
  readyS: number;
  syncS: number;
  elementos: number;
}

async function measure(kind: "system" | "pglite"): Promise<Measure> {
  process.env.PUENTE_POSTGRES = kind;
  const started = performance.now();
  const stack = await startStack({ planillas, seed: 3, wisproClients: 10 });
  const readyS = (performance.now() - started) / 1000;
  try {
    const syncStarted = performance.now();
    const child = Bun.spawn({
      ...agentSpawnOptions(stack.info, ["sync", "ferrawin", "--mode", "all"], newAgentHome()),
      stdout: "pipe",
      stderr: "inherit",
    });
    const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    const syncS = (performance.now() - syncStarted) / 1000;
    if (code !== 0) throw new Error(`the ${kind} sync exited ${code}: ${out.slice(-2000)}`);
    const sql = postgres(stack.info.dbUrl, { max: 1, onnotice: () => {} });
    const [row] = await sql`select count(*)::int as n from public.elementos`;
    await sql.end();
    console.log(`${kind}: ready ${readyS.toFixed(1)} s, sync ${syncS.toFixed(1)} s`);
    return { readyS, syncS, elementos: Number(row?.n) };
  } finally {
    await stack.stop();
  }
}

const system = await measure("system");
const pglite = await measure("pglite");
if (system.elementos !== pglite.elementos || system.elementos === 0) {
  console.error(`the two syncs stored different data: ${system.elementos} vs ${pglite.elementos}`);
  process.exit(1);
}
writeResult(
  "pglite",
  {
    planillas,
    elementos: system.elementos,
    system_ready_s: round(system.readyS),
    pglite_ready_s: round(pglite.readyS),
    ready_ratio: round(pglite.readyS / system.readyS, 2),
    system_sync_s: round(system.syncS),
    pglite_sync_s: round(pglite.syncS),
    sync_ratio: round(pglite.syncS / system.syncS, 2),
  },
  { "@electric-sql/pglite": packageVersion("@electric-sql/pglite") },
  {
    scope:
      "startStack to ready, then `puente-agent sync ferrawin --mode all` from spawn to exit, " +
      "on the same generated dataset (seed 3), system PostgreSQL 15 first, then PGlite",
  },
);
