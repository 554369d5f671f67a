import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  bypassesProxy,
  fetchThrough,
  noProxyFrom,
  proxyFrom,
  routePusherThroughProxy,
} from "./proxy.ts";
import { type ConnectProxy, startConnectProxy } from "../test/connect-proxy.ts";
import { AGENT_ID, AGENT_KEY, type FakeEdge, startFakeEdge } from "../test/fake-edge.ts";
import { type FakePusher, startFakePusher } from "../test/fake-pusher.ts";
import { loadConfig } from "./config.ts";
import { createAgentEdgeClient } from "./sink/agent-edge.ts";
import { Logger } from "./status/log.ts";
import { checkPusher } from "./cli/doctor.ts";
import { createWisproClient } from "./sources/wispro/client.ts";
import { withoutProxyVariables } from "../test/scoped-env.ts";

let proxy: ConnectProxy;
let edge: FakeEdge;
let pusher: FakePusher;
let restoreProxyVariables: () => void = () => {};
beforeAll(async () => {
  restoreProxyVariables = withoutProxyVariables();
  proxy = await startConnectProxy();
  edge = startFakeEdge();
  pusher = startFakePusher();
});
afterAll(async () => {
  restoreProxyVariables();
  await proxy.stop();
  await edge.stop();
  await pusher.stop();
});

describe("proxy", () => {
  test("PUENTE_PROXY wins over the standard variables, which are the fallback", () => {
    expect(proxyFrom("http://p:1", { HTTPS_PROXY: "http://h:2" })).toBe("http://p:1");
    expect(proxyFrom(undefined, { https_proxy: "http://h:2", HTTP_PROXY: "http://x:3" }))
      .toBe("http://h:2");
    expect(proxyFrom(undefined, {})).toBeNull();
    expect(fetchThrough(null)).toBeUndefined();
  });

  test("API calls, Wispro and the Pusher WebSocket all go through PUENTE_PROXY", async () => {
    const config = loadConfig({
      env: {
        PUENTE_API_URL: edge.url,
        PUENTE_AGENT_KEY: AGENT_KEY,
        PUENTE_AGENT_ID: AGENT_ID,
        PUENTE_PROXY: proxy.url,
        PUSHER_APP_KEY: "app-key",
        PUSHER_HOST: "127.0.0.1",
        PUSHER_PORT: String(pusher.port),
        PUSHER_USE_TLS: "false",
      },
      envFile: null,
    });
    expect(config.proxy).toBe(proxy.url);
    const edgePort = new URL(edge.url).port;
    const client = createAgentEdgeClient(config, new Logger({ dir: null }));
    await client.heartbeat({ version: "t", hostname: "h" });
    expect(proxy.targets).toContain(`127.0.0.1:${edgePort}`);

    const wispro = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () =>
        Response.json({
          status: 200,
          meta: { pagination: { total_records: 1, total_pages: 1, per_page: 1, current_page: 1 } },
          data: [{}],
        }),
    });
    try {
      await createWisproClient({
        baseUrl: `http://127.0.0.1:${wispro.port}/api/v1`,
        token: "t",
        proxy: proxy.url,
      }).fetchClientsPage(1, 1);
      expect(proxy.targets).toContain(`127.0.0.1:${wispro.port}`);
    } finally {
      wispro.stop(true);
    }

    // doctor's Pusher check subscribes the agent's channel: through the proxy's tunnel.
    const restore = routePusherThroughProxy(config.proxy);
    try {
      const result = await checkPusher(config, client, 5000);
      expect(result.status).toBe("ok");
      expect(proxy.targets).toContain(`127.0.0.1:${pusher.port}`);
    } finally {
      restore();
    }
  });
});

describe("NO_PROXY", () => {
  test("hosts it names are reached directly; others through the proxy", () => {
    const noProxy = noProxyFrom({ NO_PROXY: "localhost, 127.0.0.1,::1,.corp.example:8080" });
    expect(noProxy).toEqual(["localhost", "127.0.0.1", "::1", ".corp.example:8080"]);
    expect(bypassesProxy("http://127.0.0.1:5432/x", noProxy)).toBe(true);
    expect(bypassesProxy("http://[::1]:80/", noProxy)).toBe(true);
    expect(bypassesProxy("https://localhost/", noProxy)).toBe(true);
    expect(bypassesProxy("https://api.corp.example/v1", noProxy)).toBe(true);
    expect(bypassesProxy("https://corp.example/", noProxy)).toBe(true);
    expect(bypassesProxy("https://evilcorp.example/", noProxy)).toBe(false);
    expect(bypassesProxy("https://x.supabase.co/", noProxy)).toBe(false);
    expect(bypassesProxy("https://x.supabase.co/", ["*"])).toBe(true);
    expect(noProxyFrom({ no_proxy: "a" })).toEqual(["a"]);
  });

  test("the config carries NO_PROXY beside the proxy", () => {
    const config = loadConfig({
      env: {
        PUENTE_API_URL: edge.url,
        PUENTE_AGENT_KEY: AGENT_KEY,
        HTTPS_PROXY: proxy.url,
        NO_PROXY: "127.0.0.1",
      },
      envFile: null,
    });
    expect({ proxy: config.proxy, noProxy: config.noProxy }).toEqual({
      proxy: proxy.url,
      noProxy: ["127.0.0.1"],
    });
  });
});
