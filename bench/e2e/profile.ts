// `bun bench/e2e/profile.ts [--planillas 5000] [--in-flight 1,3,6]`: where the end-to-end time goes.
// Runs the path stage by stage on one devstack, each stage adding one hop, so the difference between
// two lines is the cost of that hop:
//   extract           tedious → TDS stand-in → Postgres (the source alone)
//   + batch           … + mapping, batching, JSON and gzip (the agent without sending)
//   sql               ingest_planillas called directly over one Postgres connection per in-flight batch
//   rpc               … through the gateway's /rest/v1/rpc (PostgREST contract)
//   edge              … through /functions/v1/sync/agent/runs/:id/batches (edge + gateway + SQL)
// The ingest stages send the batches built by "+ batch" into emptied replica tables, N at a time.
import { parseArgs } from "node:util";
import postgres from "postgres";
import { createFerrawinSource } from "../../agent/src/sources/ferrawin/index.ts";
import { planillaBatches } from "../../agent/src/batching.ts";
import { createEdgeClient } from "../../agent/src/sink/edge-client.ts";
import { describeCpu, Scenario } from "./scenario.ts";
import { cpuBetween, processTree, readProcesses } from "./cpu.ts";

const { values } = parseArgs({
  options: {
    planillas: { type: "string", default: "5000" },
    "in-flight": { type: "string", default: "1,3,6" },
  },
  strict: false,
});
const inFlights = String(values["in-flight"]).split(",").map(Number);
const scenario = await Scenario.open({ planillas: Number(values.planillas), seed: 1 });
const { info } = scenario.stack;
const admin = postgres(info.dbUrl, { max: 1, onnotice: () => {} });
const lines: string[] = [];
const record = (stage: string, seconds: number, elementos: number, extra = "") => {
  const line = `${stage.padEnd(28)} ${seconds.toFixed(2).padStart(7)} s ${
    Math.round(elementos / seconds).toLocaleString("en-US").padStart(9)
  } elementos/s ${extra}`;
  lines.push(line);
  console.log(line);
};

/** CPU seconds per process group while `body` runs. */
async function withCpu<T>(body: () => Promise<T>): Promise<{ value: T; cpu: string }> {
  const [backend] = await admin<{ pid: number }[]>`select pg_backend_pid() as pid`;
  const postmaster = readProcesses().get(backend!.pid)?.ppid ?? 0;
  const before = readProcesses();
  const own = process.cpuUsage();
  const value = await body();
  const after = readProcesses();
  const mine = process.cpuUsage(own);
  const cpu = describeCpu({
    "bench process (agent code, gateway, TDS stand-in)": (mine.user + mine.system) / 1e6,
    edge: cpuBetween(before, after, processTree(after, scenario.stack.edge.pid)),
    postgres: cpuBetween(before, after, processTree(after, postmaster)),
  });
  return { value, cpu };
}

/** POSTs a JSON `body` and reads the whole answer, as the agent does; throws on a non-2xx. */
async function post(
  label: string,
  url: string,
  headers: Record<string, string>,
  body: BodyInit,
): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  if (!response.ok) throw new Error(`${label} ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
}

try {
  const source = createFerrawinSource({
    host: info.sqlserver.host,
    port: info.sqlserver.port,
    database: info.sqlserver.database,
    username: info.sqlserver.user,
    password: info.sqlserver.password,
    encrypt: false,
    trustServerCertificate: true,
  });
  const extract = () =>
    source.extract({ mode: "all" }, {
      cursor: null,
      signal: new AbortController().signal,
      log: () => {},
    });

  let started = performance.now();
  let elementos = 0;
  const extracted = await withCpu(async () => {
    for await (const item of extract()) {
      if (item.kind === "planilla") elementos += item.planilla.elementos.length;
    }
  });
  record("extract", (performance.now() - started) / 1000, elementos, extracted.cpu);

  started = performance.now();
  const bodies: { json: string; gzipped: Uint8Array<ArrayBuffer> }[] = [];
  const batched = await withCpu(async () => {
    let seq = 0;
    for await (
      const draft of planillaBatches(extract(), { planillas: 50, elementos: 5000 })
    ) {
      const json = JSON.stringify({ v: 1, seq: seq++, ...draft.body });
      bodies.push({ json, gzipped: Bun.gzipSync(new TextEncoder().encode(json)) });
    }
  });
  record("extract + batch + gzip", (performance.now() - started) / 1000, elementos, batched.cpu);
  await source.close();
  const mb = bodies.reduce((s, b) => s + b.json.length, 0) / 2 ** 20;
  console.log(`${bodies.length} batches, ${mb.toFixed(0)} MiB of JSON`);

  const edge = createEdgeClient({ baseUrl: info.functionsUrl, agentKey: info.agent.key });
  const empty = () =>
    admin.unsafe(
      "truncate public.elementos, public.entidades, public.planillas, public.obras, " +
        "public.clientes cascade",
    );

  /** Sends every batch through `send`, `n` at a time, into empty tables, in a run of its own. */
  const ingest = async (
    stage: string,
    n: number,
    send: (runId: string, i: number) => Promise<void>,
  ) => {
    await empty();
    const run = await edge.openRun({ v: 1, source: "ferrawin", params: { mode: "all" } });
    started = performance.now();
    const measured = await withCpu(async () => {
      let next = 0;
      await Promise.all(Array.from({ length: n }, async () => {
        while (next < bodies.length) await send(run.id, next++);
      }));
    });
    record(
      `${stage} (${n} in flight)`,
      (performance.now() - started) / 1000,
      elementos,
      measured.cpu,
    );
    await edge.finishRun(run.id, { status: "completed", total: null, done: 0, counts: {} });
  };

  for (const n of inFlights) {
    const direct = postgres(info.dbUrl, { max: n, onnotice: () => {} });
    await ingest("sql", n, async (runId, i) => {
      await direct.begin(async (tx) => {
        await tx.unsafe("set local role service_role");
        await tx.unsafe("select public.ingest_planillas($1, $2, $3, $4::text::jsonb)", [
          info.agent.key,
          runId,
          i,
          bodies[i]!.json,
        ]);
      });
    });
    await direct.end();
  }
  for (const n of inFlights) {
    await ingest("rpc via gateway", n, async (runId, i) => {
      await post(
        "rpc",
        `${info.supabaseUrl}/rest/v1/rpc/ingest_planillas`,
        { apikey: info.serviceRoleKey, authorization: `Bearer ${info.serviceRoleKey}` },
        `{"p_agent_key":${JSON.stringify(info.agent.key)},"p_run_id":"${runId}",` +
          `"p_seq":${i},"p_batch":${bodies[i]!.json}}`,
      );
    });
  }
  for (const n of inFlights) {
    await ingest("edge (gzip)", n, async (runId, i) => {
      await post(
        "edge",
        `${info.functionsUrl}/agent/runs/${runId}/batches`,
        { authorization: `Bearer ${info.agent.key}`, "content-encoding": "gzip" },
        bodies[i]!.gzipped,
      );
    });
  }
  console.log(`\nprofile at ${values.planillas} planillas (${elementos} elementos):`);
  console.log(lines.join("\n"));
} finally {
  await admin.end();
  await scenario.close();
}
