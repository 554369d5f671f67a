import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { AGENT, agentHeaders, createTestApp } from "../../testing.ts";

Deno.test("fingerprints come from the database for the calling agent's key, optionally for one year", async () => {
  const { request, calls } = createTestApp({
    planilla_fingerprints: () => ({ "2025-000001": "v1:56:123:2025-01-01T00:00:00" }),
  });
  const response = await request("/agent/fingerprints", {
    json: { year: 2025 },
    headers: agentHeaders,
  });
  assertEquals(response.status, 200);
  assertEquals(await response.json(), {
    v: 1,
    fingerprints: { "2025-000001": "v1:56:123:2025-01-01T00:00:00" },
  });
  assertEquals(calls.at(-1)?.args, { p_agent_key: AGENT.key, p_year: 2025 });
});

Deno.test("fingerprints are only for agents, and a malformed year is refused before the database", async () => {
  const { request, calls } = createTestApp({ planilla_fingerprints: () => ({}) });
  assertEquals((await request("/agent/fingerprints", { json: {} })).status, 401);
  const bad = await request("/agent/fingerprints", {
    json: { year: "2025" },
    headers: agentHeaders,
  });
  assertEquals(bad.status, 422);
  assertEquals(calls.filter((c) => c.fn === "planilla_fingerprints").length, 0);
});
