// `bun devstack/src/postgres/pglite-main.ts [--data DIR]`: one PGlite database (PostgreSQL 18 in
// WebAssembly, from npm) served on a free loopback port, for machines without PostgreSQL binaries.
// Prints one JSON line `{"listening":true,"port":N,"version":"…"}` once clients may connect, and
// stops on SIGTERM/SIGINT or when the process that started it is gone.
import { PGlite } from "@electric-sql/pglite";
import { pgcrypto } from "@electric-sql/pglite/contrib/pgcrypto";
import { servePglite } from "./pglite-server.ts";

const dataIndex = process.argv.indexOf("--data");
const dataDir = dataIndex > 0 ? process.argv[dataIndex + 1] : undefined;
const owner = Number(process.env.PUENTE_PGLITE_OWNER ?? 0);

const db = await PGlite.create({ dataDir, extensions: { pgcrypto } });
const server = await servePglite(db);
const [row] = (await db.query<{ v: string }>("select current_setting('server_version') as v")).rows;
console.log(JSON.stringify({ listening: true, port: server.port, version: row?.v }));

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  await server.close().catch(() => {});
  await db.close().catch(() => {});
  process.exit(code);
}
process.on("SIGTERM", () => void stop(0));
process.on("SIGINT", () => void stop(0));
// The server must not outlive the devstack that started it (a killed test runner, `kill -9`).
if (owner > 0) {
  setInterval(() => {
    try {
      process.kill(owner, 0);
    } catch {
      void stop(0);
    }
  }, 1000);
}
