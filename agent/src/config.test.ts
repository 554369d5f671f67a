import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeConfig, isLoopbackHost, loadConfig, redact } from "./config.ts";
import { ConfigInvalid } from "./errors/config-invalid.ts";
import { formatDotenv, parseDotenv } from "./dotenv.ts";

const dir = mkdtempSync(join(tmpdir(), "puente-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEY = "pk_live_abcdefghijklmnopqrstuvwxyz";
const base = { PUENTE_API_URL: "http://127.0.0.1:9/functions/v1/sync/", PUENTE_AGENT_KEY: KEY };

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig({ env, envFile: null });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigInvalid);
    return (error as ConfigInvalid).problems;
  }
  throw new Error("expected ConfigInvalid");
};

describe("config", () => {
  test("documented defaults apply and the API URL loses its trailing slash", () => {
    const config = loadConfig({ env: base, envFile: null });
    expect(config.api.url).toBe("http://127.0.0.1:9/functions/v1/sync");
    expect(config.batch).toEqual({ planillas: 50, elementos: 5000, maxInFlight: 3 });
    expect(config.intervals).toEqual({ heartbeatMs: 15_000, claimMs: 30_000, progressMs: 1000 });
    expect(config.ferrawin).toBeNull();
    expect(config.wispro).toBeNull();
    expect(config.pusher).toBeNull();
  });

  test("every missing or wrong variable is named", () => {
    const problems = problemsOf({
      PUENTE_API_URL: "ftp://x",
      PUENTE_MAX_IN_FLIGHT: "0",
      FERRAWIN_PORT: "http",
      WISPRO_DEFAULT_NATIONALITY: "X",
      PUSHER_USE_TLS: "maybe",
    });
    const text = problems.join("\n");
    for (
      const name of [
        "PUENTE_API_URL must be an http(s) URL",
        "PUENTE_AGENT_KEY is required",
        "PUENTE_MAX_IN_FLIGHT must be at least 1",
        "FERRAWIN_PORT must be a number",
        "WISPRO_DEFAULT_NATIONALITY must be one of V, E, J, G, P",
        "PUSHER_USE_TLS must be true or false",
      ]
    ) expect(text).toContain(name);
  });

  test("FerraWin needs its login once a host is set", () => {
    expect(problemsOf({ ...base, FERRAWIN_HOST: "sql" })).toEqual([
      "FERRAWIN_USERNAME and FERRAWIN_PASSWORD are required when FERRAWIN_HOST is set",
    ]);
  });

  test("reads the .env file, and the environment wins over it", () => {
    const file = join(dir, "a.env");
    writeFileSync(
      file,
      `# comment\nPUENTE_API_URL=https://from-file/functions/v1/sync\nPUENTE_AGENT_KEY="${KEY}"\n` +
        "FERRAWIN_HOST=10.0.0.5\nFERRAWIN_USERNAME=sa\nFERRAWIN_PASSWORD='p#ss word'\nFERRAWIN_ENCRYPT=no\n" +
        "PUSHER_APP_KEY=app\nPUSHER_HOST=127.0.0.1\nPUSHER_PORT=6001\nPUSHER_USE_TLS=false\n",
    );
    const config = loadConfig({ env: { PUENTE_API_URL: "https://from-env/sync" }, envFile: file });
    expect(config.api.url).toBe("https://from-env/sync");
    expect(config.ferrawin).toMatchObject({
      host: "10.0.0.5",
      port: 1433,
      password: "p#ss word",
      encrypt: false,
    });
    expect(config.pusher).toEqual({
      key: "app",
      cluster: "mt1",
      host: "127.0.0.1",
      port: 6001,
      useTLS: false,
    });
    expect(config.envFile).toBe(file);
  });

  test("a missing explicit .env file is an error that names it", () => {
    expect(() => loadConfig({ env: base, envFile: join(dir, "nope.env") })).toThrow(
      "nope.env does not exist",
    );
  });

  test("redact masks every secret; describeConfig shows none", () => {
    const config = loadConfig({
      env: {
        ...base,
        WISPRO_API_TOKEN: "wispro-token-123",
        FERRAWIN_HOST: "h",
        FERRAWIN_USERNAME: "sa",
        FERRAWIN_PASSWORD: "hunter22",
      },
      envFile: null,
    });
    const line = `POST with Bearer ${KEY} token=wispro-token-123 pwd=hunter22`;
    expect(redact(line, config.secrets)).toBe("POST with Bearer *** token=*** pwd=***");
    const shown = JSON.stringify(describeConfig(config));
    for (const secret of [KEY, "wispro-token-123", "hunter22"]) expect(shown).not.toContain(secret);
  });

  test("a wrong secret value never appears in the error", () => {
    const problems = problemsOf({ ...base, PUENTE_AGENT_KEY: "abc12345xyz" });
    expect(problems.join()).toContain("PUENTE_AGENT_KEY is too short to be an agent key");
    expect(problems.join()).not.toContain("abc12345xyz");
  });
});

describe("dotenv", () => {
  test("formats values so they read back verbatim", () => {
    const values = { A: "plain", B: "with space", C: 'quote " and \\ back', D: "a#b", E: "" };
    expect(parseDotenv(formatDotenv(values, "header"))).toEqual(values);
  });

  test("http:// is refused for the API and Wispro URLs except on a loopback address", () => {
    for (const url of ["http://example.com/functions/v1/sync", "http://10.0.0.5/sync"]) {
      expect(() => loadConfig({ env: { ...base, PUENTE_API_URL: url }, envFile: null }))
        .toThrow("PUENTE_API_URL must start with https://");
    }
    expect(() =>
      loadConfig({
        env: {
          ...base,
          WISPRO_API_URL: "http://www.cloud.wispro.co/api/v1",
          WISPRO_API_TOKEN: "t0k3n",
        },
        envFile: null,
      })
    ).toThrow("WISPRO_API_URL must start with https://");
    for (
      const url of ["http://127.0.0.1:9/sync", "http://localhost:9/sync", "http://[::1]:9/sync"]
    ) {
      expect(loadConfig({ env: { ...base, PUENTE_API_URL: url }, envFile: null }).api.url).toBe(
        url,
      );
    }
    expect(isLoopbackHost("127.0.0.1.example.com")).toBe(false);
    expect(isLoopbackHost("localhost.evil.com")).toBe(false);
  });

  test("with encryption on, the SQL Server certificate is verified unless explicitly trusted", () => {
    const sql = {
      ...base,
      FERRAWIN_HOST: "sql",
      FERRAWIN_USERNAME: "u",
      FERRAWIN_PASSWORD: "p4ss",
    };
    const trust = (env: Record<string, string>) =>
      loadConfig({ env: { ...sql, ...env }, envFile: null }).ferrawin!.trustServerCertificate;
    expect(trust({ FERRAWIN_ENCRYPT: "true" })).toBe(false);
    expect(trust({ FERRAWIN_ENCRYPT: "true", FERRAWIN_TRUST_SERVER_CERTIFICATE: "true" })).toBe(
      true,
    );
    expect(trust({ FERRAWIN_ENCRYPT: "false" })).toBe(true);
    expect(trust({ FERRAWIN_ENCRYPT: "false", FERRAWIN_TRUST_SERVER_CERTIFICATE: "false" })).toBe(
      false,
    );
  });
});
