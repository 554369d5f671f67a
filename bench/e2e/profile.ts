// `bun bench/e2e/profile.ts [--planillas 5000] [--in-flight 1,3,6]`: where the end-to-end time goes.
// Runs the path stage by stage on one devstack, each stage adding one hop, so the difference between
// two lines is the cost of that hop:
//   extract           tedious → TDS stand-in → Postgres (the source alone)
//   + batch           … + mapping, batching, JSON and gzip (the agent without sending)
//   sql               ingest_planillas called directly over one Postgres connection per in-flight batch
//   rpc               … through the gateway's /rest/v1/rpc (PostgREST contract)
//   edge              … through /functions/v1/sync/agent/runs/:id/batches (edge + gateway + SQL)
// The ingest stages send the batches built by "+ batch" into emptied replica tables, N at a time.
//
// Then the floors: what each part of the fixed stack costs doing only its own minimum, on the same
// data (no Puente logic around it). Their sum is the CPU per elemento that no arrangement of Puente's
// own code could go under on this machine, set against the budget the e2e targets allow on its cores:
//   stand-in: Postgres + TDS    the SQL Server stand-in answering the bars queries, rows encoded as TDS
//   tedious                     the same queries drained through tedious (minus the stand-in's share)
//   agent encode                JSON.stringify + gzip of the batches
//   edge contract               gunzip + JSON.parse + the protocol's zod schema
//   Postgres JSON argument      the batch text made jsonb (what any PostgREST RPC taking it pays)
//   COPY                        the rows the last stage stored, COPYed into empty copies of the tables
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { IngestBatch } from "@puente/protocol";
import { createFerrawinSource } from "../../agent/src/sources/ferrawin/index.ts";
import { FerrawinConnection } from "../../agent/src/sources/ferrawin/connection.ts";
import { barsQuery, SPIRAL_PREFIX } from "../../agent/src/sources/ferrawin/queries.ts";
import { FerrawinExecutor } from "../../devstack/src/ferrawin/executor.ts";
import { ByteWriter } from "../../devstack/src/sqlserver/byte-writer.ts";
import { writeRow } from "../../devstack/src/sqlserver/tokens.ts";
import { createColumnEncoder } from "../../devstack/src/sqlserver/values.ts";
import { planillaBatches } from "../../agent/src/sources/ferrawin/batches.ts";
import { createEdgeClient } from "../../agent/src/sink/edge-client.ts";
import { describeCpu, Scenario } from "./scenario.ts";
import { cpuBetween, processTree, readProcesses } from "./cpu.ts";

const { values } = parseArgs({
  options: {
    planillas: { type: "string", default: "5000" },
    "in-flight": { type: "string", default: "1,3,6" },
    /** The e2e targets, for the budget lines. */
    "target-per-s": { type: "string", default: "60000" },
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

const BENCH = "bench process (agent code, gateway, TDS stand-in)";
const postmaster = await scenario.postmasterPid();

/** CPU seconds per process group while `body` runs. */
async function withCpu(
  body: () => Promise<unknown>,
): Promise<{ cpu: string; cpuS: Record<string, number> }> {
  const before = readProcesses();
  const own = process.cpuUsage();
  await body();
  const after = readProcesses();
  const mine = process.cpuUsage(own);
  const cpuS = {
    [BENCH]: (mine.user + mine.system) / 1e6,
    edge: cpuBetween(before, after, processTree(after, scenario.stack.edge.pid)),
    postgres: cpuBetween(before, after, processTree(after, postmaster)),
  };
  return { cpu: describeCpu(cpuS), cpuS };
}

/** Each floor is measured this many times and the cheapest run kept: the machine is shared. */
const FLOOR_RUNS = 3;

/** The run of `measure` with the least `cost`, out of FLOOR_RUNS. */
async function leastOf<T>(measure: () => Promise<T>, cost: (m: T) => number): Promise<T> {
  let best: T | null = null;
  for (let i = 0; i < FLOOR_RUNS; i++) {
    const m = await measure();
    if (best === null || cost(m) < cost(best)) best = m;
  }
  return best!;
}

/**
 * CPU seconds of this process while `body` runs (synchronous work only, nothing else in flight): the
 * least of FLOOR_RUNS passes after one untimed pass, so the code is compiled, garbage collected first.
 */
function ownCpu(body: () => void): number {
  body();
  let least = Infinity;
  for (let i = 0; i < FLOOR_RUNS; i++) {
    Bun.gc(true);
    const before = process.cpuUsage();
    body();
    const used = process.cpuUsage(before);
    least = Math.min(least, (used.user + used.system) / 1e6);
  }
  return least;
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

/**
 * The floors (see the header): each part of the fixed stack doing only its own minimum on the same
 * bars and batches, in CPU µs per elemento sent; then their sum against the e2e targets' budgets.
 */
async function measureFloors(
  sourceOptions: ConstructorParameters<typeof FerrawinConnection>[0],
  bodies: { json: string; gzipped: Uint8Array<ArrayBuffer> }[],
  elementos: number,
): Promise<string[]> {
  const us = (seconds: number) => (seconds * 1e6) / elementos;
  const rows: [string, number][] = [];
  const signal = new AbortController().signal;
  const ferrawin = postgres(scenario.stack.ferrawinUrl, { max: 1, onnotice: () => {} });
  const years = (await ferrawin<{ zconta: string }[]>`
    select distinct zconta from ferrawin.ord_head where zconta ~ '^[0-9]{4}$' order by 1`)
    .map((r) => r.zconta);
  await ferrawin.end();
  const barsSql = barsQuery({ descending: false, zconta: true });
  const barsParams = (zconta: string) => ({
    spiralPrefix: SPIRAL_PREFIX,
    spiralLength: SPIRAL_PREFIX.length,
    zconta,
  });

  // The stand-in alone: its executor and TDS encoding, no socket (what SQL Server does in production).
  const executor = new FerrawinExecutor({ url: scenario.stack.ferrawinUrl });
  const standIn = await leastOf(() =>
    withCpu(async () => {
      const w = new ByteWriter(8192);
      for (const zconta of years) {
        const params = Object.entries(barsParams(zconta)).map(([name, value]) => ({
          name: `@${name}`,
          type: typeof value === "number" ? "int" : "nvarchar(4000)",
          value,
        }));
        const result = await executor.execute(barsSql, params, signal);
        const encoders = result.columns.map((column) => createColumnEncoder(column));
        for await (const row of result.rows) {
          writeRow(w, encoders, row);
          w.reset();
        }
      }
    }), (m) => m.cpuS[BENCH]! + m.cpuS.postgres!);
  await executor.close();
  const standInJs = standIn.cpuS[BENCH]!;
  rows.push(["stand-in: Postgres answering the bars queries", standIn.cpuS.postgres!]);
  rows.push(["stand-in: rows encoded as TDS", standInJs]);

  // The same queries through the socket and tedious, rows drained: the bench process now holds the
  // stand-in (measured above) and tedious.
  const connection = new FerrawinConnection(sourceOptions);
  const drained = await leastOf(() =>
    withCpu(async () => {
      for (const zconta of years) {
        for await (const _row of connection.query("bars", barsSql, barsParams(zconta), signal)) {
          // drained
        }
      }
    }), (m) => m.cpuS[BENCH]!);
  await connection.close();
  rows.push([
    "tedious: rows decoded (minus the stand-in)",
    Math.max(0, drained.cpuS[BENCH]! - standInJs),
  ]);

  const objects = bodies.map((b) => JSON.parse(b.json) as unknown);
  rows.push([
    "agent: JSON.stringify + gzip",
    ownCpu(() => {
      for (const o of objects) Bun.gzipSync(new TextEncoder().encode(JSON.stringify(o)));
    }),
  ]);
  rows.push([
    "edge: gunzip + JSON.parse + zod",
    ownCpu(() => {
      for (const b of bodies) {
        IngestBatch.parse(JSON.parse(new TextDecoder().decode(Bun.gunzipSync(b.gzipped))));
      }
    }),
  ]);

  const direct = postgres(info.dbUrl, { max: 1, onnotice: () => {} });
  const parsed = await leastOf(() =>
    withCpu(async () => {
      for (const b of bodies) {
        await direct.unsafe("select ($1::text)::jsonb is not null", [b.json]);
      }
    }), (m) => m.cpuS.postgres!);
  await direct.end();
  rows.push(["Postgres: batch text → jsonb argument", parsed.cpuS.postgres!]);

  const lines = rows.map(([label, seconds]) =>
    `${label.padEnd(48)} ${us(seconds).toFixed(1).padStart(6)}`
  );
  // The physical limit on the rows the last ingest stage stored; the ratio target counts rows
  // (planillas, elementos, entidades), as COPY does.
  const copy = await scenario.copyLimit();
  const rowsPerElemento = copy.totalRows / elementos;
  const copyUs = us(copy.seconds);
  lines.push(
    `${"COPY of the same rows (wall, one connection)".padEnd(48)} ${copyUs.toFixed(1).padStart(6)}`,
  );
  const sum = rows.reduce((total, [, seconds]) => total + us(seconds), 0) + copyUs;
  const cores = cpus().length;
  const target = Number(values["target-per-s"]);
  lines.push(`${"sum of the floors".padEnd(48)} ${sum.toFixed(1).padStart(6)}`);
  lines.push(
    `budget on ${cores} cores at ${target.toLocaleString("en-US")} elementos/s: ${
      ((cores * 1e6) / target).toFixed(1)
    } µs; the floors alone allow ${
      Math.round((cores * 1e6) / sum).toLocaleString("en-US")
    } elementos/s`,
  );
  // In production the stand-in's share runs on FerraWin's SQL Server, not on these cores.
  const withoutStandIn = sum - us(standIn.cpuS.postgres! + standInJs);
  lines.push(
    `without the stand-in's two lines (SQL Server's own machine in production): ${
      withoutStandIn.toFixed(1)
    } µs, ${Math.round((cores * 1e6) / withoutStandIn).toLocaleString("en-US")} elementos/s`,
  );
  const ratioTarget = (0.25 * copy.rowsPerS) / rowsPerElemento;
  lines.push(
    `budget on ${cores} cores at 25% of COPY (${
      Math.round(ratioTarget).toLocaleString("en-US")
    } elementos/s): ${((cores * 1e6) / ratioTarget).toFixed(1)} µs`,
  );
  return lines;
}

try {
  const sourceOptions = {
    host: info.sqlserver.host,
    port: info.sqlserver.port,
    database: info.sqlserver.database,
    username: info.sqlserver.user,
    password: info.sqlserver.password,
    encrypt: false,
    trustServerCertificate: true,
  };
  const source = createFerrawinSource(sourceOptions);
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
  // Last: the COPY floor reads the rows the last ingest stage stored.
  const floors = await measureFloors(sourceOptions, bodies, elementos);
  console.log(`\nprofile at ${values.planillas} planillas (${elementos} elementos):`);
  console.log(lines.join("\n"));
  console.log(`\nfloors, CPU µs per elemento sent (${elementos} elementos):`);
  console.log(floors.join("\n"));
} finally {
  await admin.end();
  await scenario.close();
}
