// Shared by the FerraWin source's integration tests: a Postgres cluster loaded with a FerraWin fixture,
// behind the TDS stand-in (tedious → stand-in → FerraWin executor → Postgres), for a whole test file.
import { afterAll, beforeAll } from "bun:test";
import postgres from "postgres";
import {
  startSystemCluster,
  type SystemCluster,
} from "../../../../devstack/src/postgres/system-cluster.ts";
import { loadFixture } from "../../../../devstack/src/ferrawin/load.ts";
import { FerrawinExecutor } from "../../../../devstack/src/ferrawin/executor.ts";
import type { FerrawinFixture } from "../../../../devstack/src/ferrawin/tables.ts";
import { type SqlServerHandle, startSqlServer } from "../../../../devstack/src/sqlserver/index.ts";

/** The database and login the stand-in serves. */
const DATABASE = "FERRAWIN";
const USER = "puente";
const PASSWORD = "s3cret!";

export interface FerrawinStandIn {
  cluster: SystemCluster;
  sql: postgres.Sql;
  executor: FerrawinExecutor;
  server: SqlServerHandle;
}

/** The connection settings `createFerrawinSource` takes for the stand-in `server`. */
export const standInSettings = (server: SqlServerHandle) => ({
  host: server.host,
  port: server.port,
  database: DATABASE,
  username: USER,
  password: PASSWORD,
  encrypt: false,
  trustServerCertificate: true,
});

/**
 * Before the file's tests: a cluster loaded with `fixture()` and the stand-in serving it (`ready` keeps
 * what the file needs). After them: the stand-in, the executor, the client and the cluster stop.
 */
export function useFerrawinStandIn(
  fixture: () => FerrawinFixture,
  ready: (standIn: FerrawinStandIn) => void,
): void {
  let cluster: SystemCluster | undefined;
  let sql: postgres.Sql | undefined;
  let executor: FerrawinExecutor | undefined;
  let server: SqlServerHandle | undefined;
  beforeAll(async () => {
    cluster = await startSystemCluster();
    sql = postgres(cluster.url, { onnotice: () => {} });
    await loadFixture(sql, fixture());
    executor = new FerrawinExecutor({ url: cluster.url });
    server = await startSqlServer({ user: USER, password: PASSWORD, database: DATABASE, executor });
    ready({ cluster, sql, executor, server });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await executor?.close();
    await sql?.end();
    await cluster?.stop();
  }, 60_000);
}
