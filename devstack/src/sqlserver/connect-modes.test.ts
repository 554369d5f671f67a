// tedious (the agent's client) reaching the stand-in the ways a real office SQL Server is reached: by
// instance name through SQL Browser, with Windows (NTLM) authentication, with required TLS 1.0-1.2
// verified against a CA, and as SQL Server 2008 R2 (TDS 7.3) serving Modern_Spanish_CI_AS varchar/char.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { constants } from "node:crypto";
import { Connection, type ConnectionConfiguration, Request } from "tedious";
import { createDevCertificates, type DevCertificates } from "./certificates.ts";
import type { QueryResult, SqlExecutor } from "./executor.ts";
import { type SqlServerHandle, type SqlServerOptions, startSqlServer } from "./server.ts";
import { privateLoopbackHost, startSqlBrowser } from "./ssrp.ts";

const USER = "puente";
const PASSWORD = "Señal#2026";
const DATABASE = "FERRAWIN";
const ACCOUNT = { domain: "FERRALLA", user: "oficina", password: "Contraseña-2026" };

const textResult: SqlExecutor = {
  execute: (): Promise<QueryResult> =>
    Promise.resolve({
      columns: [
        { name: "codigo", type: "char", length: 8 },
        { name: "nombre", type: "varchar", length: 40 },
      ],
      rows: [["a1", "Año ñandú €"], ["B2  ", "Peña"]],
    }),
};

const servers: SqlServerHandle[] = [];
let certificates: DevCertificates;

async function serve(options: Partial<SqlServerOptions> = {}): Promise<SqlServerHandle> {
  const server = await startSqlServer({
    user: USER,
    password: PASSWORD,
    database: DATABASE,
    executor: textResult,
    ...options,
  });
  servers.push(server);
  return server;
}

function connect(
  server: { host: string; port?: number },
  options: ConnectionConfiguration["options"] = {},
  authentication: ConnectionConfiguration["authentication"] = {
    type: "default",
    options: { userName: USER, password: PASSWORD },
  },
): Promise<Connection> {
  const connection = new Connection({
    server: server.host,
    authentication,
    options: {
      port: server.port,
      database: DATABASE,
      encrypt: false,
      connectTimeout: 5000,
      ...options,
    },
  });
  return new Promise((resolve, reject) => {
    connection.on("error", () => {});
    connection.connect((error) => {
      if (error) {
        connection.close();
        reject(error);
      } else resolve(connection);
    });
  });
}

function rows(connection: Connection): Promise<unknown[][]> {
  return new Promise((resolve, reject) => {
    const result: unknown[][] = [];
    const request = new Request("SELECT codigo, nombre FROM t", (error) => {
      connection.close();
      if (error) reject(error);
      else resolve(result);
    });
    request.on("row", (columns) => result.push(columns.map((c: { value: unknown }) => c.value)));
    connection.execSql(request);
  });
}

beforeAll(() => {
  certificates = createDevCertificates(["localhost", "127.0.0.1"]);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  certificates.remove();
});

describe("named instance through SQL Browser", () => {
  test("HOST\\INSTANCE: tedious asks UDP 1434 for the port and logs in", async () => {
    const host = privateLoopbackHost();
    const server = await serve({ host });
    const browser = await startSqlBrowser({
      host,
      instances: [{ name: "SQLEXPRESS", tcpPort: server.port, version: server.version }],
    });
    try {
      const connection = await connect({ host }, { port: undefined, instanceName: "sqlexpress" });
      expect(await rows(connection)).toHaveLength(2);
      expect(browser.stats().answered).toBeGreaterThan(0);
      await expect(connect({ host }, { port: undefined, instanceName: "OTRA" })).rejects
        .toMatchObject(
          { code: "EINSTLOOKUP" },
        );
    } finally {
      await browser.stop();
    }
  }, 30_000);
});

describe("Windows authentication (NTLM)", () => {
  const ntlm = (password: string, domain = ACCOUNT.domain) => ({
    type: "ntlm" as const,
    options: { userName: ACCOUNT.user, password, domain },
  });

  test("the right domain account logs in; a wrong password or domain is 18456", async () => {
    const server = await serve({ windowsAccount: ACCOUNT });
    const connection = await connect(server, {}, ntlm(ACCOUNT.password));
    expect(await rows(connection)).toHaveLength(2);
    await expect(connect(server, {}, ntlm("otra"))).rejects.toMatchObject({
      code: "ELOGIN",
      message: "Login failed for user 'FERRALLA\\oficina'.",
    });
    await expect(connect(server, {}, ntlm(ACCOUNT.password, "OTRO"))).rejects.toMatchObject({
      code: "ELOGIN",
    });
    expect(server.stats().failedLogins).toBe(2);
  });

  test("a server without a domain refuses Windows logins with 18452", async () => {
    const server = await serve();
    await expect(connect(server, {}, ntlm(ACCOUNT.password))).rejects.toMatchObject({
      code: "ELOGIN",
      message: expect.stringContaining("untrusted domain"),
    });
  });
});

describe("TLS inside TDS", () => {
  // secureOptions given (tedious's own default) so tedious passes this object as is: it otherwise wraps
  // it with Object.create, and Bun's createSecureContext ignores inherited keys such as minVersion.
  const verified = (minVersion?: "TLSv1" | "TLSv1.1" | "TLSv1.2") => ({
    encrypt: true,
    trustServerCertificate: false,
    cryptoCredentialsDetails: {
      ca: certificates.caPem,
      secureOptions: constants.SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS,
      ...(minVersion ? { minVersion } : {}),
    },
  });

  for (const version of ["TLSv1", "TLSv1.1", "TLSv1.2"] as const) {
    test(`required encryption capped at ${version}: a verified login and query`, async () => {
      const server = await serve({
        tls: {
          key: certificates.key,
          cert: certificates.cert,
          isRequired: true,
          maxVersion: version,
        },
      });
      const connection = await connect(server, verified("TLSv1"));
      expect(await rows(connection)).toEqual([["a1      ", "Año ñandú €"], ["B2      ", "Peña"]]);
    });
  }

  test("a TLS 1.0-only server is refused unless the client lowers its minimum version", async () => {
    const server = await serve({
      tls: {
        key: certificates.key,
        cert: certificates.cert,
        isRequired: true,
        maxVersion: "TLSv1",
      },
    });
    await expect(connect(server, verified())).rejects.toMatchObject({ code: "ESOCKET" });
    await expect(connect(server, verified("TLSv1.2"))).rejects.toMatchObject({ code: "ESOCKET" });
    const connection = await connect(server, verified("TLSv1"));
    expect(await rows(connection)).toHaveLength(2);
  });

  test("Force Encryption refuses a client that does not encrypt", async () => {
    const server = await serve({
      tls: { key: certificates.key, cert: certificates.cert, isRequired: true },
    });
    await expect(connect(server, { encrypt: false })).rejects.toMatchObject({ code: "EENCRYPT" });
  });

  test("a certificate from an unknown CA is refused when verifying", async () => {
    const other = createDevCertificates(["localhost", "127.0.0.1"]);
    try {
      const server = await serve({ tls: { key: other.key, cert: other.cert, isRequired: true } });
      await expect(connect(server, verified("TLSv1.2"))).rejects.toMatchObject({
        code: "ESOCKET",
      });
    } finally {
      other.remove();
    }
  });
});

describe("SQL Server 2008 R2 (TDS 7.3) with Modern_Spanish_CI_AS", () => {
  test("logs in as 7.3 and decodes char/varchar as CP1252 under the Spanish collation", async () => {
    const server = await serve({ tdsVersion: "7.3", collation: "Modern_Spanish_CI_AS" });
    const connection = await connect(server, { tdsVersion: "7_4" });
    const negotiated = (connection as unknown as { config: { options: { tdsVersion: string } } })
      .config.options.tdsVersion;
    expect(negotiated).toBe("7_3_B");
    const collation: unknown[] = [];
    const result = await new Promise<unknown[][]>((resolve, reject) => {
      const out: unknown[][] = [];
      const request = new Request("SELECT codigo, nombre FROM t", (error) => {
        connection.close();
        if (error) reject(error);
        else resolve(out);
      });
      request.on("columnMetadata", (columns) => {
        for (const c of columns as { collation?: { lcid: number; codepage: string } }[]) {
          collation.push([c.collation?.lcid, c.collation?.codepage]);
        }
      });
      request.on("row", (columns) => out.push(columns.map((c: { value: unknown }) => c.value)));
      connection.execSql(request);
    });
    expect(result).toEqual([["a1      ", "Año ñandú €"], ["B2      ", "Peña"]]);
    expect(collation).toEqual([[0x0c0a, "CP1252"], [0x0c0a, "CP1252"]]);
  });
});
