import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { AGENT, agentHeaders, createTestApp } from "../../testing.ts";

const claimed = () => ({ v: 1, commands: [] });

Deno.test("claim passes the agent's key and limit to claim_commands as the service role", async () => {
  const { request, calls } = createTestApp({ claim_commands: claimed });
  const response = await request("/agent/commands/claim", { json: {}, headers: agentHeaders });
  assertEquals(response.status, 200);
  assertEquals(await response.json(), { v: 1, commands: [] });
  assertEquals(calls.map((c) => [c.fn, c.as, c.args]), [
    ["authenticate_agent", "service", { p_key: AGENT.key }],
    ["claim_commands", "service", { p_agent_key: AGENT.key, p_limit: 10 }],
  ]);
});

Deno.test("x-agent-key works too; an explicit limit is kept and bounded", async () => {
  const { request, calls } = createTestApp({ claim_commands: claimed });
  const ok = await request("/agent/commands/claim", {
    json: { limit: 3 },
    headers: { "x-agent-key": AGENT.key },
  });
  assertEquals(ok.status, 200);
  assertEquals(calls.at(-1)?.args.p_limit, 3);
  const tooMany = await request("/agent/commands/claim", {
    json: { limit: 500 },
    headers: agentHeaders,
  });
  assertEquals(tooMany.status, 422);
});

Deno.test("without a key, or with an unknown one, nothing is claimed", async () => {
  const { request, calls } = createTestApp({ claim_commands: claimed });
  const none = await request("/agent/commands/claim", { json: {} });
  assertEquals(none.status, 401);
  const unknown = await request("/agent/commands/claim", {
    json: {},
    headers: { Authorization: "Bearer stolen" },
  });
  assertEquals(unknown.status, 401);
  assertEquals((await unknown.json()).error.code, "unauthorized");
  assertEquals(calls.some((c) => c.fn === "claim_commands"), false);
});

Deno.test("reject passes the command and the reason to reject_command; bad ids and reasons write nothing", async () => {
  const commandId = "40000000-0000-4000-8000-000000000001";
  const { request, calls } = createTestApp({
    reject_command: () => ({ v: 1, commandId, status: "rejected", reason: "bad code" }),
  });
  const ok = await request(`/agent/commands/${commandId}/reject`, {
    json: { v: 1, reason: "bad code" },
    headers: agentHeaders,
  });
  assertEquals(ok.status, 200);
  assertEquals((await ok.json()).status, "rejected");
  assertEquals(calls.at(-1)?.args, {
    p_agent_key: AGENT.key,
    p_command_id: commandId,
    p_reason: "bad code",
  });
  const before = calls.length;
  const badId = await request("/agent/commands/nope/reject", {
    json: { v: 1, reason: "x" },
    headers: agentHeaders,
  });
  assertEquals(badId.status, 404);
  const noReason = await request(`/agent/commands/${commandId}/reject`, {
    json: { v: 1, reason: "  " },
    headers: agentHeaders,
  });
  assertEquals(noReason.status, 422);
  const noKey = await request(`/agent/commands/${commandId}/reject`, {
    json: { v: 1, reason: "x" },
  });
  assertEquals(noKey.status, 401);
  assertEquals(calls.slice(before).some((c) => c.fn === "reject_command"), false);
});
