// The agent's own FerraWin connection (the settings config.ts builds) reaching the SQL Server stand-in
// as offices run SQL Server: a named instance through SQL Browser, a Windows (NTLM) account, required
// TLS verified against a CA (TLS 1.0 only where FERRAWIN_TLS_MIN_VERSION allows it), SQL Server 2008 R2.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loadConfig } from "../../config.ts";
import { setCliLang } from "../../i18n/i18n.ts";
import {
  createDevCertificates,
  type DevCertificates,
} from "../../../../devstack/src/sqlserver/certificates.ts";
import {
  type SqlServerHandle,
  type SqlServerOptions,
  startSqlServer,
} from "../../../../devstack/src/sqlserver/index.ts";
import { privateLoopbackHost, startSqlBrowser } from "../../../../devstack/src/sqlserver/ssrp.ts";
import type { FerrawinSourceOptions } from "../source.ts";
import { checkSqlServer } from "../../cli/doctor.ts";
import { connectHint, FerrawinConnection } from "./connection.ts";

// doctor's hints below are read in English.
beforeAll(() => setCliLang("en"));

const servers: SqlServerHandle[] = [];
let certificates: DevCertificates;

const executor = {
  execute: () =>
    Promise.resolve({
      columns: [{ name: "OK", type: "varchar" as const, length: 10 }],
      rows: [["sí"]],
    }),
};

async function serve(options: Partial<SqlServerOptions> = {}, host = "127.0.0.1") {
  const server = await startSqlServer({
    host,
    user: "puente",
    password: "clave",
    database: "FERRAWIN",
    executor,
    ...options,
  });
  servers.push(server);
  return server;
}

/** The FerraWin settings exactly as the agent loads them from these variables. */
function settings(env: Record<string, string>): FerrawinSourceOptions {
  return loadConfig({
    envFile: null,
    env: {
      PUENTE_API_URL: "http://127.0.0.1:9/functions/v1/sync",
      PUENTE_AGENT_KEY: "k".repeat(32),
      FERRAWIN_USERNAME: "puente",
      FERRAWIN_PASSWORD: "clave",
      ...env,
    },
  }).ferrawin!;
}

async function selectOk(options: FerrawinSourceOptions): Promise<unknown> {
  const connection = new FerrawinConnection(options);
  try {
    for await (
      const row of connection.query("t", "SELECT 'sí' AS OK", {}, AbortSignal.timeout(10_000))
    ) {
      return row.ok;
    }
  } finally {
    await connection.close();
  }
}

beforeAll(() => {
  certificates = createDevCertificates(["localhost", "127.0.0.1"]);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  certificates.remove();
});

describe("FerraWin connection settings", () => {
  test("FERRAWIN_HOST=HOST\\INSTANCE finds the port through SQL Browser", async () => {
    const host = privateLoopbackHost();
    const server = await serve({}, host);
    const browser = await startSqlBrowser({
      host,
      instances: [{ name: "SQLEXPRESS", tcpPort: server.port, version: server.version }],
    });
    try {
      const options = settings({ FERRAWIN_HOST: `${host}\\SQLEXPRESS` });
      expect(options).toMatchObject({ host, port: null, instanceName: "SQLEXPRESS" });
      expect(await selectOk(options)).toBe("sí");
      expect(await selectOk(settings({ FERRAWIN_HOST: host, FERRAWIN_INSTANCE: "sqlexpress" })))
        .toBe("sí");
      const missing = selectOk(settings({ FERRAWIN_HOST: `${host}\\OTRA` }));
      await expect(missing).rejects.toThrow(/SQL Server Browser.*UDP 1434.*TCP\/IP/);
    } finally {
      await browser.stop();
    }
  }, 60_000);

  test("FERRAWIN_AUTH=ntlm logs in with a Windows account; 18456 hints at the account", async () => {
    const account = { domain: "FERRALLA", user: "oficina", password: "Contraseña-1" };
    const server = await serve({ windowsAccount: account });
    const base = {
      FERRAWIN_HOST: "127.0.0.1",
      FERRAWIN_PORT: String(server.port),
      FERRAWIN_AUTH: "ntlm",
      FERRAWIN_USERNAME: "oficina",
      FERRAWIN_PASSWORD: account.password,
    };
    expect(await selectOk(settings({ ...base, FERRAWIN_DOMAIN: "ferralla" }))).toBe("sí");
    expect(await selectOk(settings({ ...base, FERRAWIN_USERNAME: "FERRALLA\\oficina" }))).toBe(
      "sí",
    );
    await expect(selectOk(settings({ ...base, FERRAWIN_DOMAIN: "OTRO" }))).rejects.toThrow(
      /18456|Login failed.*FERRAWIN_DOMAIN/,
    );
  });

  test("a SQL login refused with 18456 hints at mixed-mode authentication", async () => {
    const server = await serve();
    const wrong = settings({
      FERRAWIN_HOST: "127.0.0.1",
      FERRAWIN_PORT: String(server.port),
      FERRAWIN_PASSWORD: "otra",
    });
    await expect(selectOk(wrong)).rejects.toThrow(
      /Windows Authentication mode.*FERRAWIN_AUTH=ntlm/,
    );
  });

  for (const version of ["TLSv1", "TLSv1.1", "TLSv1.2"] as const) {
    test(`required TLS capped at ${version}, verified against FERRAWIN_CA_FILE`, async () => {
      const server = await serve({
        tls: {
          key: certificates.key,
          cert: certificates.cert,
          isRequired: true,
          maxVersion: version,
        },
      });
      const env = {
        FERRAWIN_HOST: "127.0.0.1",
        FERRAWIN_PORT: String(server.port),
        FERRAWIN_ENCRYPT: "true",
        FERRAWIN_TRUST_SERVER_CERTIFICATE: "false",
        FERRAWIN_CA_FILE: certificates.caFile,
      };
      if (version !== "TLSv1.2") {
        // Bun's default minimum is TLS 1.2: an old server is refused with a hint naming the setting.
        await expect(selectOk(settings(env))).rejects.toThrow(/FERRAWIN_TLS_MIN_VERSION=TLSv1/);
      }
      expect(await selectOk(settings({ ...env, FERRAWIN_TLS_MIN_VERSION: "TLSv1" }))).toBe("sí");
    });
  }

  test("a certificate from another CA is refused when verifying, with a hint", async () => {
    const server = await serve({
      tls: { key: certificates.key, cert: certificates.cert, isRequired: true },
    });
    const other = createDevCertificates(["localhost"]);
    try {
      const options = settings({
        FERRAWIN_HOST: "127.0.0.1",
        FERRAWIN_PORT: String(server.port),
        FERRAWIN_ENCRYPT: "true",
        FERRAWIN_TRUST_SERVER_CERTIFICATE: "false",
        FERRAWIN_CA_FILE: other.caFile,
      });
      await expect(selectOk(options)).rejects.toThrow(/FERRAWIN_CA_FILE/);
    } finally {
      other.remove();
    }
  });

  test("SQL Server 2008 R2 (TDS 7.3) with Modern_Spanish_CI_AS answers the agent", async () => {
    const server = await serve({ tdsVersion: "7.3", collation: "Modern_Spanish_CI_AS" });
    expect(
      await selectOk(settings({ FERRAWIN_HOST: "127.0.0.1", FERRAWIN_PORT: String(server.port) })),
    ).toBe("sí");
  });

  test(
    "doctor names SQL Browser and TCP/IP for a missing instance, mixed mode for 18456",
    async () => {
      const host = privateLoopbackHost();
      const server = await serve({}, host);
      const browser = await startSqlBrowser({
        host,
        instances: [{ name: "SQLEXPRESS", tcpPort: server.port, version: server.version }],
      });
      const config = (env: Record<string, string>) =>
        loadConfig({
          envFile: null,
          env: {
            PUENTE_API_URL: "http://127.0.0.1:9/functions/v1/sync",
            PUENTE_AGENT_KEY: "k".repeat(32),
            FERRAWIN_USERNAME: "puente",
            FERRAWIN_PASSWORD: "clave",
            ...env,
          },
        });
      try {
        const missing = await checkSqlServer(config({ FERRAWIN_HOST: `${host}\\OTRA` }), 10_000);
        expect(missing.status).toBe("fail");
        expect(missing.detail).toContain('"SQL Server Browser" service');
        expect(missing.detail).toContain("TCP/IP protocol");
        expect(missing.fix).toContain("SQL Server Browser");
        const refused = await checkSqlServer(
          config({ FERRAWIN_HOST: `${host}\\SQLEXPRESS`, FERRAWIN_PASSWORD: "otra" }),
          10_000,
        );
        expect(refused.status).toBe("fail");
        expect(refused.detail).toContain("Login failed for user 'puente'.");
        expect(refused.detail).toContain("18456");
        expect(refused.detail).toContain("SQL Server and Windows Authentication mode");
        expect(refused.detail).not.toContain("otra");
        const ok = await checkSqlServer(config({ FERRAWIN_HOST: `${host}\\SQLEXPRESS` }), 10_000);
        expect(ok).toMatchObject({
          status: "ok",
          detail: `logged in to ${host}\\SQLEXPRESS/FERRAWIN`,
        });
      } finally {
        await browser.stop();
      }
    },
    60_000,
  );

  test("a Browser that never answers is named in the hint, not just a timeout", () => {
    const options = settings({ FERRAWIN_HOST: "oficina\\SQLEXPRESS" });
    const timeout = Object.assign(new Error("Failed to connect in 15000ms"), { code: "ETIMEOUT" });
    expect(connectHint(options, timeout)).toMatch(/SQL Server Browser.*UDP 1434/);
    const direct = settings({ FERRAWIN_HOST: "oficina" });
    expect(connectHint(direct, timeout)).toMatch(/TCP\/IP/);
    expect(connectHint(direct, timeout)).not.toMatch(/Browser/);
  });

  test("bad connection settings are refused by name", () => {
    expect(() => settings({ FERRAWIN_HOST: "a\\b\\c" })).toThrow(/HOST\\INSTANCE/);
    expect(() => settings({ FERRAWIN_HOST: "h\\X", FERRAWIN_INSTANCE: "Y" })).toThrow(
      /FERRAWIN_INSTANCE/,
    );
    expect(() => settings({ FERRAWIN_HOST: "h", FERRAWIN_AUTH: "ntlm" })).toThrow(
      /FERRAWIN_DOMAIN/,
    );
    expect(() => settings({ FERRAWIN_HOST: "h", FERRAWIN_AUTH: "kerberos" })).toThrow(
      /sql or ntlm/,
    );
    expect(() => settings({ FERRAWIN_HOST: "h", FERRAWIN_TLS_MIN_VERSION: "SSLv3" })).toThrow(
      /TLSv1/,
    );
    expect(() => settings({ FERRAWIN_HOST: "h", FERRAWIN_CA_FILE: "/nope/ca.pem" })).toThrow(
      /does not exist/,
    );
    expect(settings({ FERRAWIN_HOST: "h" })).toMatchObject({ port: 1433, instanceName: null });
    expect(settings({ FERRAWIN_HOST: "h\\SQL", FERRAWIN_PORT: "1500" })).toMatchObject({
      port: 1500,
      instanceName: "SQL",
    });
  });
});
