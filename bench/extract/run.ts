// Extraction throughput: rows per second read through tedious → TDS stand-in → Postgres from a
// FerraWin-sized dataset (37,000 planillas, ~2M bars by default), in `all` mode through the real source.
// `--planillas N` changes the size (e.g. for a quick check).
import { parseArgs } from "node:util";
import postgres from "postgres";
import { startSystemCluster } from "../../devstack/src/postgres/system-cluster.ts";
import { FerrawinGenerator } from "../../devstack/src/ferrawin/generator.ts";
import { loadGenerated } from "../../devstack/src/ferrawin/load.ts";
import { FerrawinExecutor } from "../../devstack/src/ferrawin/executor.ts";
import { startSqlServer } from "../../devstack/src/sqlserver/index.ts";
import { createFerrawinSource } from "../../agent/src/sources/ferrawin/index.ts";
import { writeResult } from "../results.ts";

const { values } = parseArgs({
  options: {
    planillas: { type: "string", default: "37000" },
    seed: { type: "string", default: "1" },
  },
  strict: false,
});
const planillas = Number(values.planillas);
const seed = Number(values.seed);

const cluster = await startSystemCluster({ settings: { shared_buffers: "256MB" } });
const sql = postgres(cluster.url, { onnotice: () => {} });
const executor = new FerrawinExecutor({ url: cluster.url });
const server = await startSqlServer({
  user: "bench",
  password: "bench",
  database: "FERRAWIN",
  executor,
});
const source = createFerrawinSource({
  host: server.host,
  port: server.port,
  database: "FERRAWIN",
  username: "bench",
  password: "bench",
  encrypt: false,
  trustServerCertificate: true,
});
try {
  let started = performance.now();
  const counts = await loadGenerated(sql, new FerrawinGenerator({ planillas, seed }));
  const loadS = (performance.now() - started) / 1000;
  console.log(`loaded ${JSON.stringify(counts)} in ${loadS.toFixed(1)} s`);

  started = performance.now();
  let yielded = 0;
  let elementos = 0;
  let rejected = 0;
  for await (
    const item of source.extract({ mode: "all" }, {
      cursor: null,
      signal: new AbortController().signal,
      log: () => {},
    })
  ) {
    if (item.kind === "planilla") {
      yielded++;
      elementos += item.planilla.elementos.length;
    } else rejected++;
  }
  const wallS = (performance.now() - started) / 1000;
  const pkg = async (name: string) =>
    ((await Bun.file(new URL(`../../node_modules/${name}/package.json`, import.meta.url))
      .json()) as {
        version: string;
      }).version;
  writeResult(
    "extract",
    {
      rows_per_s: Math.round(elementos / wallS),
      planillas: yielded,
      elementos,
      rejects: rejected,
      wall_s: Math.round(wallS * 10) / 10,
      load_s: Math.round(loadS * 10) / 10,
    },
    { tedious: await pkg("tedious"), postgres: await pkg("postgres"), postgresql: "15" },
    { path: "tedious → TDS stand-in → FerrawinExecutor → Postgres 15", seed },
  );
} finally {
  await source.close();
  await server.stop();
  await executor.close();
  await sql.end();
  await cluster.stop();
}
