import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { PROTOCOL_VERSION } from "../../../protocol/src/index.ts";
import { AGENT, agentHeaders, createTestApp, ScriptedRpcError } from "../testing.ts";

const refusals = (calls: { fn: string; args: Record<string, unknown> }[]) =>
  calls.filter((c) => c.fn === "agent_protocol_refused").map((c) => c.args);

Deno.test("a refused protocol version is recorded for the agent whose key sent it", async () => {
  const { request, calls } = createTestApp({
    agent_protocol_refused: () => ({}),
  });
  for (
    const [path, json] of [
      ["/agent/heartbeat", { v: 0, version: "0.9.0", hostname: "PC" }],
      ["/agent/commands/claim", { v: 0 }],
    ] as const
  ) {
    const response = await request(path, { json, headers: agentHeaders });
    assertEquals(response.status, 426, path);
    assertEquals((await response.json()).error.code, "protocol_unsupported");
  }
  const expected = {
    p_agent_key: AGENT.key,
    p_sent: 0,
    p_supported: PROTOCOL_VERSION,
  };
  assertEquals(refusals(calls), [expected, expected]);
});

Deno.test("a newer agent's version is recorded too (the panel then names the API as outdated)", async () => {
  const { request, calls } = createTestApp({
    agent_protocol_refused: () => ({}),
  });
  const response = await request("/agent/heartbeat", {
    json: { v: PROTOCOL_VERSION + 1, version: "9", hostname: "PC" },
    headers: agentHeaders,
  });
  assertEquals(response.status, 426);
  assertEquals(refusals(calls).map((a) => a.p_sent), [PROTOCOL_VERSION + 1]);
});

Deno.test("nothing is recorded for an unknown key, an accepted message or a malformed body", async () => {
  const { request, calls } = createTestApp({
    agent_protocol_refused: () => ({}),
    agent_heartbeat: () => ({ lastSeenAt: "2026-01-01T00:00:00.000Z" }),
  });
  const unknown = await request("/agent/heartbeat", {
    json: { v: 0, version: "1", hostname: "PC" },
    headers: { Authorization: "Bearer not-a-key" },
  });
  assertEquals(unknown.status, 401);
  const accepted = await request("/agent/heartbeat", {
    json: { version: "1", hostname: "PC" },
    headers: agentHeaders,
  });
  assertEquals(accepted.status, 200);
  const malformed = await request("/agent/heartbeat", {
    json: { v: "0", version: "1", hostname: "PC" },
    headers: agentHeaders,
  });
  assertEquals(malformed.status, 422);
  assertEquals(refusals(calls), []);
});

Deno.test("the agent still gets its 426 when the refusal cannot be recorded", async () => {
  const { request, logs } = createTestApp({
    agent_protocol_refused: () => {
      throw new ScriptedRpcError(
        { code: "08006", message: "connection lost" },
        503,
      );
    },
  });
  const response = await request("/agent/heartbeat", {
    json: { v: 0, version: "1", hostname: "PC" },
    headers: agentHeaders,
  });
  assertEquals(response.status, 426);
  assertEquals((await response.json()).error.code, "protocol_unsupported");
  assertEquals(
    logs.some((l) =>
      l.level === "warn" &&
      String(l.msg ?? l.message).includes("refused protocol")
    ),
    true,
    JSON.stringify(logs),
  );
});
