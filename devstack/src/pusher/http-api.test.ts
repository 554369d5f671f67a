// HTTP API routes with hand-signed requests; the SDK-driven checks are in server.test.ts.
import { describe, expect, test } from "bun:test";
import { ChannelRegistry } from "./channels.ts";
import type { TriggeredEvent } from "./events.ts";
import { createHttpApi } from "./http-api.ts";
import { hmacSha256Hex, md5Hex, requestStringToSign } from "./signing.ts";

const app = { appId: "42", key: "key", secret: "secret" };
const NOW_S = 1_700_000_000;

function setup() {
  const registry = new ChannelRegistry();
  const published: TriggeredEvent[][] = [];
  const handle = createHttpApi({
    app,
    registry,
    publish: (events) => published.push(events),
    nowS: () => NOW_S,
  });
  return { registry, published, handle };
}

function signed(
  method: string,
  path: string,
  options: { body?: string; params?: Record<string, string>; secret?: string } = {},
): Request {
  const body = options.body ?? "";
  const params = new URLSearchParams({
    auth_key: app.key,
    auth_timestamp: String(NOW_S),
    auth_version: "1.0",
    ...options.params,
  });
  if (body.length > 0) params.set("body_md5", md5Hex(body));
  params.set(
    "auth_signature",
    hmacSha256Hex(options.secret ?? app.secret, requestStringToSign(method, path, params)),
  );
  return new Request(`http://pusher.test${path}?${params}`, {
    method,
    ...(body.length > 0 ? { body, headers: { "content-type": "application/json" } } : {}),
  });
}

describe("HTTP API", () => {
  test("a signed trigger is published and answered with {}", async () => {
    const ctx = setup();
    const body = JSON.stringify({ name: "e", data: "{}", channels: ["a", "b"], socket_id: "1.2" });
    const response = await ctx.handle(signed("POST", "/apps/42/events", { body }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    expect(ctx.published).toEqual([[
      { channel: "a", name: "e", data: "{}", excludeSocketId: "1.2" },
      { channel: "b", name: "e", data: "{}", excludeSocketId: "1.2" },
    ]]);
  });

  test("a wrong secret gets 401 with the reason and publishes nothing", async () => {
    const ctx = setup();
    const body = JSON.stringify({ name: "e", data: "{}", channel: "a" });
    const response = await ctx.handle(signed("POST", "/apps/42/events", { body, secret: "nope" }));
    expect(response.status).toBe(401);
    expect(await response.text()).toContain("Invalid signature");
    expect(ctx.published).toEqual([]);
  });

  test("a wrong app id gets 404 and unknown routes 404", async () => {
    const ctx = setup();
    expect((await ctx.handle(signed("GET", "/apps/7/channels"))).status).toBe(404);
    expect((await ctx.handle(signed("GET", "/apps/42/nothing"))).status).toBe(404);
  });

  test("oversized data gets 413 and bad JSON 400", async () => {
    const ctx = setup();
    const big = JSON.stringify({ name: "e", data: "x".repeat(10_241), channel: "a" });
    expect((await ctx.handle(signed("POST", "/apps/42/events", { body: big }))).status).toBe(413);
    expect((await ctx.handle(signed("POST", "/apps/42/events", { body: "{" }))).status).toBe(400);
    expect(ctx.published).toEqual([]);
  });

  test("batch events publish every item; info asks for per-item attributes", async () => {
    const ctx = setup();
    ctx.registry.join("a", "1.1");
    const batch = [{ channel: "a", name: "e", data: "1" }, { channel: "b", name: "e", data: "2" }];
    const plain = await ctx.handle(
      signed("POST", "/apps/42/batch_events", { body: JSON.stringify({ batch }) }),
    );
    expect(await plain.json()).toEqual({});
    expect(ctx.published.flat().map((e) => e.channel)).toEqual(["a", "b"]);
    const withInfo = batch.map((item) => ({ ...item, info: "subscription_count" }));
    const detailed = await ctx.handle(
      signed("POST", "/apps/42/batch_events", { body: JSON.stringify({ batch: withInfo }) }),
    );
    expect(await detailed.json()).toEqual({
      batch: [{ subscription_count: 1 }, { subscription_count: 0 }],
    });
  });

  test("channel queries", async () => {
    const ctx = setup();
    ctx.registry.join("public-a", "1.1");
    ctx.registry.join("presence-x", "1.1", { userId: "u1", userInfo: {} });
    ctx.registry.join("presence-x", "2.2", { userId: "u1", userInfo: {} });
    const get = async (path: string, params?: Record<string, string>) => {
      const response = await ctx.handle(signed("GET", path, params ? { params } : {}));
      return {
        status: response.status,
        body: response.status === 200 ? await response.json() : await response.text(),
      };
    };
    expect(await get("/apps/42/channels")).toEqual({
      status: 200,
      body: { channels: { "presence-x": {}, "public-a": {} } },
    });
    expect(await get("/apps/42/channels", { filter_by_prefix: "presence-", info: "user_count" }))
      .toEqual({
        status: 200,
        body: { channels: { "presence-x": { user_count: 1 } } },
      });
    expect((await get("/apps/42/channels", { info: "user_count" })).status).toBe(400);
    expect(await get("/apps/42/channels/presence-x", { info: "user_count,subscription_count" }))
      .toEqual({
        status: 200,
        body: { occupied: true, user_count: 1, subscription_count: 2 },
      });
    expect(await get("/apps/42/channels/empty")).toEqual({
      status: 200,
      body: { occupied: false },
    });
    expect(await get("/apps/42/channels/presence-x/users")).toEqual({
      status: 200,
      body: { users: [{ id: "u1" }] },
    });
    expect((await get("/apps/42/channels/public-a/users")).status).toBe(400);
  });
});
