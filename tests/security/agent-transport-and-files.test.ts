// Issue 20, findings 5 and 6: the agent's transport defaults were too trusting (encryption to SQL
// Server without certificate checks; http:// API and Wispro URLs carrying the key or token in clear),
// its logs and state were created world-readable on Linux, and the threat model did not say that a
// token stays valid for up to an hour after sign-out or demotion. The agent's own code is driven here,
// as `init`, `doctor` and the daemon use it.
import { setCliLang } from "../../agent/src/i18n/i18n.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../agent/src/config.ts";
import { checkTransport } from "../../agent/src/cli/doctor.ts";
import { writeEnvFile } from "../../agent/src/cli/init.ts";
import { ConfigInvalid } from "../../agent/src/errors/config-invalid.ts";
import { RunStateStore } from "../../agent/src/run-state.ts";
import { Logger } from "../../agent/src/status/log.ts";

const KEY = `pk_${"ab".repeat(32)}`;
const base = { PUENTE_API_URL: "https://x.supabase.co/functions/v1/sync", PUENTE_AGENT_KEY: KEY };
const sqlServer = {
  FERRAWIN_HOST: "sql.lan",
  FERRAWIN_USERNAME: "u",
  FERRAWIN_PASSWORD: "s3cret!",
};
const load = (env: Record<string, string>) =>
  loadConfig({ env: { ...base, ...env }, envFile: null });
const problems = (env: Record<string, string>) => {
  try {
    load(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigInvalid) return error.problems;
    throw error;
  }
};

const home = mkdtempSync(join(tmpdir(), "puente-sec-files-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

// The doctor lines these tests read are the CLI's English messages.
beforeAll(() => setCliLang("en"));

describe("transport defaults", () => {
  test("FERRAWIN_ENCRYPT=true verifies the server certificate unless the admin opts out", () => {
    expect(load({ ...sqlServer, FERRAWIN_ENCRYPT: "true" }).ferrawin!.trustServerCertificate)
      .toBe(false);
    expect(
      load({ ...sqlServer, FERRAWIN_ENCRYPT: "true", FERRAWIN_TRUST_SERVER_CERTIFICATE: "true" })
        .ferrawin!.trustServerCertificate,
    ).toBe(true);
  });

  test("http:// is refused for PUENTE_API_URL and WISPRO_API_URL, except on loopback", () => {
    expect(problems({ PUENTE_API_URL: "http://x.supabase.co/functions/v1/sync" })[0])
      .toContain("PUENTE_API_URL must start with https://");
    expect(
      problems({
        WISPRO_API_URL: "http://www.cloud.wispro.co/api/v1",
        WISPRO_API_TOKEN: "tok3n",
      })[0],
    ).toContain("WISPRO_API_URL must start with https://");
    for (
      const host of ["192.168.1.10", "10.0.0.1", "127.0.0.1.nip.io", "localhost.attacker.example"]
    ) {
      expect(problems({ PUENTE_API_URL: `http://${host}/sync` }).length).toBe(1);
    }
    expect(problems({ PUENTE_API_URL: "http://127.0.0.1:54321/functions/v1/sync" })).toEqual([]);
  });

  test("doctor explains both: an unverified certificate and loopback http are flagged with the fix", () => {
    const lines = checkTransport(
      load({
        ...sqlServer,
        PUENTE_API_URL: "http://127.0.0.1:54321/functions/v1/sync",
        FERRAWIN_ENCRYPT: "true",
        FERRAWIN_TRUST_SERVER_CERTIFICATE: "true",
      }),
    );
    const sql = lines.find((l) => l.name === "Transport SQL Server")!;
    expect(sql.status).toBe("warn");
    expect(sql.detail).toContain("NOT verified");
    expect(sql.fix).toContain("FERRAWIN_TRUST_SERVER_CERTIFICATE");
    const api = lines.find((l) => l.name === "Transport PUENTE_API_URL")!;
    expect(api.status).toBe("warn");
    expect(api.fix).toContain("https://");
  });
});

describe("files are readable by their owner only (Linux)", () => {
  const mode = (path: string) => statSync(path).mode & 0o777;

  test("logs, run state and .env are created 0600 in 0700 folders", () => {
    if (process.platform !== "linux") return;
    const logs = join(home, "logs");
    new Logger({ dir: logs }).info("hello");
    const logFile = join(logs, readdirSync(logs)[0]!);
    const stateFile = join(home, "state", "runs.json");
    new RunStateStore(stateFile).save({
      runId: "00000000-0000-4000-8000-000000000001",
      source: "ferrawin",
      params: { mode: "all" },
      status: "running",
      lastSeq: 0,
    });
    const envFile = join(home, ".env");
    writeEnvFile(envFile, { ...base }, false);
    expect({
      logDir: mode(logs),
      logFile: mode(logFile),
      stateDir: mode(join(home, "state")),
      stateFile: mode(stateFile),
      envFile: mode(envFile),
    }).toEqual({
      logDir: 0o700,
      logFile: 0o600,
      stateDir: 0o700,
      stateFile: 0o600,
      envFile: 0o600,
    });
  });
});

describe("threat model", () => {
  test("the README says a token outlives sign-out and demotion by up to an hour", () => {
    const readme = readFileSync(join(import.meta.dir, "..", "..", "README.md"), "utf8");
    const model = readme.slice(readme.indexOf("### Threat model"), readme.indexOf("## Benchmarks"));
    expect(model).toMatch(/up to an hour after sign-out or demotion/i);
    expect(model).toMatch(/demot/i);
  });
});
