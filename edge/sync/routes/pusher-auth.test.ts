import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
  AGENT,
  agentHeaders,
  createTestApp,
  OTHER_AGENT_ID,
  PUSHER_SECRET,
  userToken,
} from "../testing.ts";
import { channelAccess } from "./pusher-auth.ts";

const form = (socketId: string, channel: string) =>
  new URLSearchParams({ socket_id: socketId, channel_name: channel }).toString();
const formHeaders = { "content-type": "application/x-www-form-urlencoded" };
const expectedAuth = (socketId: string, channel: string, channelData?: string) =>
  `pusher-key:${
    createHmac("sha256", PUSHER_SECRET).update(
      [socketId, channel, channelData].filter(Boolean).join(":"),
    ).digest("hex")
  }`;

Deno.test("channel policy", () => {
  const staff = { kind: "user" as const, id: "u1", role: "staff" as const };
  const nobody = { kind: "user" as const, id: "u2", role: null };
  const agent = { kind: "agent" as const, id: AGENT.agentId, name: "Oficina" };
  assertEquals(channelAccess(staff, "private-sync-status", "1.2").allowed, true);
  // A person joins presence as an anonymous viewer of the socket: no user id, no role.
  assertEquals(channelAccess(staff, "presence-agents", "1.2"), {
    allowed: true,
    presence: { user_id: "viewer:1.2", user_info: { kind: "viewer" } },
  });
  assertEquals(channelAccess(staff, `private-agent-${AGENT.agentId}`, "1.2").allowed, false);
  assertEquals(channelAccess(nobody, "private-sync-status", "1.2").allowed, false);
  assertEquals(channelAccess(agent, `private-agent-${AGENT.agentId}`, "1.2").allowed, true);
  assertEquals(channelAccess(agent, `private-agent-${OTHER_AGENT_ID}`, "1.2").allowed, false);
  assertEquals(channelAccess(agent, "private-sync-status", "1.2").allowed, false);
  assertEquals(channelAccess(agent, "presence-agents", "1.2"), {
    allowed: true,
    presence: { user_id: AGENT.agentId, user_info: { kind: "agent", name: "Oficina" } },
  });
});

Deno.test("an agent signs its own channel from a pusher-js form body", async () => {
  const { request } = createTestApp();
  const channel = `private-agent-${AGENT.agentId}`;
  const response = await request("/pusher/auth", {
    method: "POST",
    body: form("123.456", channel),
    headers: { ...agentHeaders, ...formHeaders },
  });
  assertEquals(response.status, 200);
  assertEquals(await response.json(), { auth: expectedAuth("123.456", channel) });
});

Deno.test("an agent joins presence-agents as itself, and no one else's channel", async () => {
  const { request } = createTestApp();
  const presence = await request("/pusher/auth", {
    method: "POST",
    body: `${form("1.2", "presence-agents")}&hostname=PC-OFICINA&version=1.0.0`,
    headers: { "x-agent-key": AGENT.key, ...formHeaders },
  });
  assertEquals(presence.status, 200);
  const body = await presence.json();
  const data = JSON.parse(body.channel_data);
  assertEquals(data, {
    user_id: AGENT.agentId,
    user_info: { kind: "agent", name: "Oficina", hostname: "PC-OFICINA", version: "1.0.0" },
  });
  assertEquals(body.auth, expectedAuth("1.2", "presence-agents", body.channel_data));

  const other = await request("/pusher/auth", {
    method: "POST",
    body: form("1.2", `private-agent-${OTHER_AGENT_ID}`),
    headers: { ...agentHeaders, ...formHeaders },
  });
  assertEquals(other.status, 403);
});

Deno.test("people: staff watch sync status (JSON body); private agent channels are 403", async () => {
  const { request } = createTestApp();
  const headers = { Authorization: `Bearer ${await userToken("staff")}` };
  const ok = await request("/pusher/auth", {
    json: { socket_id: "9.9", channel_name: "private-sync-status" },
    headers,
  });
  assertEquals(ok.status, 200);
  assertEquals(await ok.json(), { auth: expectedAuth("9.9", "private-sync-status") });
  const denied = await request("/pusher/auth", {
    json: { socket_id: "9.9", channel_name: `private-agent-${AGENT.agentId}` },
    headers,
  });
  assertEquals(denied.status, 403);
});

Deno.test("a bad key or no credentials is 401; a malformed request is 422", async () => {
  const { request } = createTestApp();
  const badKey = await request("/pusher/auth", {
    method: "POST",
    body: form("1.2", "presence-agents"),
    headers: { Authorization: "Bearer not-a-key", ...formHeaders },
  });
  assertEquals(badKey.status, 401);
  assertEquals(
    (await request("/pusher/auth", {
      method: "POST",
      body: form("1.2", "presence-agents"),
      headers: formHeaders,
    })).status,
    401,
  );
  const malformed = await request("/pusher/auth", {
    method: "POST",
    body: form("abc", "presence-agents"),
    headers: { ...agentHeaders, ...formHeaders },
  });
  assertEquals(malformed.status, 422);
});
