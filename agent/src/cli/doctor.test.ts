import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { checkApi, checkClockSkew, checkPusher, checkTransport, formatCheck } from "./doctor.ts";
import { loadConfig } from "../config.ts";
import { type FakePusher, startFakePusher } from "../../test/fake-pusher.ts";
import { createEdgeClient } from "../sink/edge-client.ts";
import { AGENT_ID, AGENT_KEY, type FakeEdge, startFakeEdge } from "../../test/fake-edge.ts";
import { setCliLang } from "../i18n/i18n.ts";

// These tests read the CLI's English messages.
beforeAll(() => setCliLang("en"));

let edge: FakeEdge;
let pusher: FakePusher;
beforeAll(() => {
  edge = startFakeEdge();
  pusher = startFakePusher();
});
afterAll(async () => {
  await edge.stop();
  await pusher.stop();
});

describe("doctor", () => {
  test("explains transport: http only on loopback, SQL Server encryption and certificate checks", () => {
    const config = (env: Record<string, string>) =>
      loadConfig({
        env: {
          PUENTE_API_URL: "http://127.0.0.1:9/sync",
          PUENTE_AGENT_KEY: AGENT_KEY,
          FERRAWIN_HOST: "sql",
          FERRAWIN_USERNAME: "u",
          FERRAWIN_PASSWORD: "p4ss",
          ...env,
        },
        envFile: null,
      });
    const plain = checkTransport(config({}));
    expect(plain.map((r) => [r.name, r.status])).toEqual([
      ["Transport PUENTE_API_URL", "warn"],
      ["Transport SQL Server", "warn"],
    ]);
    expect(plain[1]!.fix).toContain("FERRAWIN_ENCRYPT=true");
    const trusted = checkTransport(
      config({ FERRAWIN_ENCRYPT: "true", FERRAWIN_TRUST_SERVER_CERTIFICATE: "true" }),
    );
    expect(formatCheck(trusted[1]!)).toContain("NOT verified");
    expect(formatCheck(trusted[1]!)).toContain("read the SQL password");
    const verified = checkTransport(
      config({
        PUENTE_API_URL: "https://x.supabase.co/functions/v1/sync",
        FERRAWIN_ENCRYPT: "true",
      }),
    );
    expect(verified.map((r) => r.status)).toEqual(["ok", "ok"]);
  });

  test("clock skew within a minute passes, beyond fails with what to do", () => {
    const server = new Date("2026-01-01T10:00:00Z");
    expect(checkClockSkew(server, new Date("2026-01-01T10:00:20Z")).status).toBe("ok");
    const far = checkClockSkew(server, new Date("2026-01-01T09:55:00Z"));
    expect(far).toMatchObject({ status: "fail", detail: "300 s behind the API" });
    expect(formatCheck(far)).toBe(
      "✘ Clock: 300 s behind the API\n    → set this computer's clock automatically (NTP / Windows time service)",
    );
    expect(checkClockSkew(null, new Date()).status).toBe("warn");
  });

  test("API reachable and key accepted", async () => {
    const results = await checkApi(
      createEdgeClient({ baseUrl: edge.url, agentKey: AGENT_KEY }),
      2000,
    );
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ["API reachable", "ok"],
      ["Clock", "ok"],
      ["Agent key", "ok"],
    ]);
  });

  test("a wrong key fails with the fix", async () => {
    const results = await checkApi(
      createEdgeClient({
        baseUrl: edge.url,
        agentKey: "pk_wrong_000000000000000",
        retry: { limit: 0 },
      }),
      2000,
    );
    const key = results.find((r) => r.name === "Agent key")!;
    expect(key.status).toBe("fail");
    expect(key.fix).toContain("create a new key in the panel");
  });

  test("an unreachable API fails and skips the key check", async () => {
    const results = await checkApi(
      createEdgeClient({
        baseUrl: "http://127.0.0.1:9/functions/v1/sync",
        agentKey: AGENT_KEY,
        retry: { limit: 0 },
      }),
      2000,
    );
    expect(results.map((r) => r.status)).toEqual(["fail", "skip"]);
  });

  test("Pusher: connects and subscribes the agent's channel through the edge's authorization", async () => {
    const env = {
      PUENTE_API_URL: edge.url,
      PUENTE_AGENT_KEY: AGENT_KEY,
      PUENTE_AGENT_ID: AGENT_ID,
      PUSHER_APP_KEY: "app-key",
      PUSHER_HOST: "127.0.0.1",
      PUSHER_PORT: String(pusher.port),
      PUSHER_USE_TLS: "false",
    };
    const client = createEdgeClient({ baseUrl: edge.url, agentKey: AGENT_KEY });
    const ok = await checkPusher(loadConfig({ env, envFile: null }), client, 3000);
    expect(ok).toMatchObject({
      status: "ok",
      detail: `connected and subscribed private-agent-${AGENT_ID}`,
    });
    const noId = await checkPusher(
      loadConfig({ env: { ...env, PUENTE_AGENT_ID: "" }, envFile: null }),
      client,
      3000,
    );
    expect(noId.status).toBe("fail");
    expect(noId.fix).toContain("--agent-id");
    const refused = await checkPusher(
      loadConfig({ env, envFile: null }),
      createEdgeClient({
        baseUrl: edge.url,
        agentKey: "pk_wrong_000000000000000",
        retry: { limit: 0 },
      }),
      3000,
    );
    expect(refused.status).toBe("fail");
  });
});
