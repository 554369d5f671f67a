import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { classifyNetworkError, networkHint } from "./network-hint.ts";
import { createEdgeClient } from "../sink/edge-client.ts";
import { checkApi, checkWispro } from "./doctor.ts";
import { loadConfig } from "../config.ts";
import { withoutProxyVariables } from "../../test/scoped-env.ts";
import { setCliLang } from "../i18n/i18n.ts";

// These tests read the CLI's English messages.
beforeAll(() => setCliLang("en"));

const failure = (url: string) => fetch(url).then(() => null, (error: unknown) => error);

/** A TLS server with a certificate nobody trusts, like an inspecting firewall's without its CA. */
let tls: ReturnType<typeof Bun.serve>;
const dir = mkdtempSync(join(tmpdir(), "puente-tls-"));
let restoreProxyVariables: () => void = () => {};
beforeAll(() => {
  restoreProxyVariables = withoutProxyVariables();
  const made = Bun.spawnSync([
    "openssl",
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    join(dir, "key.pem"),
    "-out",
    join(dir, "cert.pem"),
    "-days",
    "1",
    "-subj",
    "/CN=localhost",
  ], { stderr: "ignore" });
  if (made.exitCode !== 0) throw new Error("openssl could not make a test certificate");
  tls = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    tls: {
      cert: readFileSync(join(dir, "cert.pem"), "utf8"),
      key: readFileSync(join(dir, "key.pem"), "utf8"),
    },
    fetch: () => new Response("{}"),
  });
});
afterAll(() => {
  restoreProxyVariables();
  tls.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

describe("network hints", () => {
  test("DNS, TLS and refused connections are told apart from fetch's own errors", async () => {
    expect(classifyNetworkError(await failure("https://puente-doctor-test.invalid/"))).toBe("dns");
    expect(classifyNetworkError(await failure(`https://127.0.0.1:${tls.port}/`))).toBe("tls");
    expect(classifyNetworkError(await failure("http://127.0.0.1:9/"))).toBe("refused");
    expect(classifyNetworkError(new Error("something else"))).toBeNull();
  });

  test("through a proxy, a refusal is named as the proxy's", async () => {
    const refused = await failure("http://127.0.0.1:9/");
    expect(networkHint(refused, "x.supabase.co", "http://proxy:3128")).toMatchObject({
      kind: "proxy",
      detail: "refused through the proxy http://proxy:3128",
    });
    expect(networkHint(refused, "x.supabase.co", null)?.fix).toContain("PUENTE_PROXY");
  });

  test("doctor names a TLS failure of the API, and a DNS failure of Wispro", async () => {
    const edge = createEdgeClient({
      baseUrl: `https://127.0.0.1:${tls.port}/functions/v1/sync`,
      agentKey: "pk_0123456789abcdef0123",
      retry: { limit: 0 },
    });
    const [api] = await checkApi(edge, 5000, `127.0.0.1:${tls.port}`);
    expect(api!.status).toBe("fail");
    expect(api!.detail).toStartWith("TLS:");
    expect(api!.fix).toContain("Windows certificate store");

    const config = loadConfig({
      env: {
        PUENTE_API_URL: "http://127.0.0.1:9/functions/v1/sync",
        PUENTE_AGENT_KEY: "pk_0123456789abcdef0123",
        WISPRO_API_URL: "https://puente-doctor-test.invalid/api/v1",
        WISPRO_API_TOKEN: "tok_0123456789",
      },
      envFile: null,
    });
    const wispro = await checkWispro(config, 5000);
    expect(wispro.status).toBe("fail");
    expect(wispro.detail).toStartWith("DNS:");
  });

  test("doctor tries the Wispro token: a refused token fails, a good one reads the count", async () => {
    const wispro = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: (request) =>
        request.headers.get("authorization") === "good-token-123"
          ? Response.json({
            status: 200,
            meta: {
              pagination: { total_records: 42, total_pages: 42, per_page: 1, current_page: 1 },
            },
            data: [{}],
          })
          : Response.json({ status: 401, message: "unauthorized" }),
    });
    try {
      const configWith = (token: string) =>
        loadConfig({
          env: {
            PUENTE_API_URL: "http://127.0.0.1:9/functions/v1/sync",
            PUENTE_AGENT_KEY: "pk_0123456789abcdef0123",
            WISPRO_API_URL: `http://127.0.0.1:${wispro.port}/api/v1`,
            WISPRO_API_TOKEN: token,
          },
          envFile: null,
        });
      const good = await checkWispro(configWith("good-token-123"), 5000);
      expect(good).toMatchObject({ status: "ok" });
      expect(good.detail).toContain("42 customers");
      const bad = await checkWispro(configWith("bad-token-456"), 5000);
      expect(bad.status).toBe("fail");
      expect(bad.fix).toContain("create a token in Wispro");
    } finally {
      wispro.stop(true);
    }
  });
});
