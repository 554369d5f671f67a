import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { AGENT, agentHeaders, createTestApp, runSummary, ScriptedRpcError } from "../../testing.ts";

Deno.test("opening a run forwards the validated request with defaults", async () => {
  const { request, calls } = createTestApp({ open_run: () => runSummary({ status: "running" }) });
  const commandId = crypto.randomUUID();
  const response = await request("/agent/runs", {
    json: { commandId, source: "ferrawin", params: { mode: "incremental" } },
    headers: agentHeaders,
  });
  assertEquals(response.status, 201);
  assertEquals((await response.json()).status, "running");
  assertEquals(calls.at(-1), {
    fn: "open_run",
    as: "service",
    args: {
      p_agent_key: AGENT.key,
      p_request: {
        v: 1,
        commandId,
        source: "ferrawin",
        params: { mode: "incremental" },
        scheduled: false,
        total: null,
      },
    },
  });
});

Deno.test("bad run requests are 422; a second active run is 409", async () => {
  const { request } = createTestApp({
    open_run: () => {
      throw new ScriptedRpcError({ code: "PT409", message: "another ferrawin run is active" }, 409);
    },
  });
  const bad = await request("/agent/runs", {
    json: { source: "ferrawin", params: { mode: "never" } },
    headers: agentHeaders,
  });
  assertEquals(bad.status, 422);
  const conflict = await request("/agent/runs", {
    json: { source: "ferrawin", params: { mode: "all" } },
    headers: agentHeaders,
  });
  assertEquals(conflict.status, 409);
});

Deno.test("reopening a run needs no params and answers the server's highest batch seq", async () => {
  const { request, calls } = createTestApp({
    open_run: () => ({ ...runSummary({ status: "running" }), lastSeq: 41 }),
  });
  const resumeRunId = crypto.randomUUID();
  const response = await request("/agent/runs", {
    json: { source: "ferrawin", resumeRunId },
    headers: agentHeaders,
  });
  assertEquals(response.status, 200);
  assertEquals((await response.json()).lastSeq, 41);
  assertEquals((calls.at(-1)?.args as { p_request: unknown }).p_request, {
    v: 1,
    commandId: null,
    source: "ferrawin",
    resumeRunId,
    scheduled: false,
    total: null,
  });
  const fresh = await request("/agent/runs", {
    json: { source: "ferrawin" },
    headers: agentHeaders,
  });
  assertEquals(fresh.status, 422);
});
