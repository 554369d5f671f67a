import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { AgentHeartbeatEvent } from "../../../../protocol/src/index.ts";
import { AGENT, agentHeaders, createTestApp } from "../../testing.ts";

Deno.test("a heartbeat is stored and broadcast as agent.heartbeat", async () => {
  const { request, calls, notifier } = createTestApp({
    agent_heartbeat: () => ({
      agentId: AGENT.agentId,
      name: AGENT.name,
      version: "1.2.3",
      hostname: "PC-OFICINA",
      lastSeenAt: "2026-01-01T00:00:05.000Z",
    }),
  });
  const response = await request("/agent/heartbeat", {
    json: { version: "1.2.3", hostname: "PC-OFICINA" },
    headers: agentHeaders,
  });
  assertEquals(response.status, 200);
  assertEquals(calls.at(-1)?.args, {
    p_agent_key: AGENT.key,
    p_heartbeat: { v: 1, version: "1.2.3", hostname: "PC-OFICINA", activeRunId: null },
  });
  const event = notifier.events[0]!;
  assertEquals([event.channel, event.event], ["private-sync-status", "agent.heartbeat"]);
  assertEquals(AgentHeartbeatEvent.parse(event.data), {
    agentId: AGENT.agentId,
    version: "1.2.3",
    hostname: "PC-OFICINA",
    activeRunId: null,
    at: "2026-01-01T00:00:05.000Z",
  });
});

Deno.test("a heartbeat from another protocol version is 426, saying what to update", async () => {
  const { request, calls } = createTestApp({ agent_heartbeat: () => ({}) });
  for (
    const [v, says] of [[0, "update the agent"], [2, "deploy the current edge function"]] as const
  ) {
    const response = await request("/agent/heartbeat", {
      json: { v, version: "9", hostname: "x" },
      headers: agentHeaders,
    });
    assertEquals(response.status, 426);
    const body = await response.json();
    assertEquals(body.error.code, "protocol_unsupported");
    assertEquals(body.error.message.includes(says), true, body.error.message);
  }
  assertEquals(calls.filter((c) => c.fn === "agent_heartbeat").length, 0);
});
