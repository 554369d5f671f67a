// Wispro benchmark: 10,000 clients from the stand-in at 150 ms per page, 100 per page, through the
// agent's client (fetch + map), against the 12 minutes the replaced job took. The database ingest is
// not part of this measure yet.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generateClients } from "../../devstack/src/wispro/clients.ts";
import { startWisproServer } from "../../devstack/src/wispro/server.ts";
import {
  createWisproClient,
  DEFAULT_CONCURRENCY,
  fetchCustomerPages,
} from "../../agent/src/sources/wispro/index.ts";
import { writeResult } from "../results.ts";

const CLIENTS = 10_000;
const PER_PAGE = 100;
const LATENCY_MS = 150;
const OLD_JOB_BASELINE_S = 12 * 60;
const TARGET_S = 10;

const root = join(import.meta.dir, "..", "..");
const versionOf = (name: string) =>
  (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as {
    version: string;
  }).version;

const token = crypto.randomUUID();
const server = startWisproServer({ token, clients: generateClients(CLIENTS, 42) });
server.faults.latencyMs = LATENCY_MS;

try {
  const client = createWisproClient({ baseUrl: server.baseUrl, token });
  let pages = 0;
  let customers = 0;
  let rejects = 0;
  const started = performance.now();
  for await (const page of fetchCustomerPages({ client, perPage: PER_PAGE })) {
    pages++;
    customers += page.customers.length;
    rejects += page.rejects.length;
  }
  const wallS = (performance.now() - started) / 1000;
  if (customers + rejects !== CLIENTS) {
    throw new Error(
      `expected ${CLIENTS} clients, got ${customers} customers and ${rejects} rejects`,
    );
  }

  console.log(`\nWispro: ${CLIENTS} clients, ${PER_PAGE} per page, ${LATENCY_MS} ms per page`);
  console.table([
    {
      run: `puente agent (fetch + map, ${DEFAULT_CONCURRENCY} pages in flight)`,
      wall_s: +wallS.toFixed(2),
    },
    { run: "old job (baseline)", wall_s: OLD_JOB_BASELINE_S },
  ]);
  writeResult(
    "wispro",
    {
      wall_s: +wallS.toFixed(3),
      clients: CLIENTS,
      pages,
      customers,
      rejects,
      requests: server.requests().length,
      baseline_s: OLD_JOB_BASELINE_S,
    },
    { ky: versionOf("ky"), zod: versionOf("zod") },
    {
      scope: "fetch + map only; the database ingest is not measured here yet",
      concurrency: DEFAULT_CONCURRENCY,
      per_page: PER_PAGE,
      latency_ms: LATENCY_MS,
      target_s: TARGET_S,
    },
  );
  if (wallS >= TARGET_S) {
    console.error(`wispro: ${wallS.toFixed(2)} s is over the ${TARGET_S} s target`);
    process.exitCode = 1;
  }
} finally {
  await server.stop();
}
