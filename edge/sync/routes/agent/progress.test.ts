import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { RunProgressEvent } from "../../../../protocol/src/index.ts";
import { AGENT, agentHeaders, createTestApp, runSummary, ScriptedRpcError } from "../../testing.ts";

const RUN_ID = runSummary().id;

Deno.test("progress is stored and broadcast on private-sync-status", async () => {
  const { request, calls, notifier } = createTestApp({
    report_progress: () => runSummary({ done: 42 }),
  });
  const response = await request(`/agent/runs/${RUN_ID}/progress`, {
    json: { done: 42, total: 100, cursor: { source: "ferrawin", lastCode: "2025-000042" } },
    headers: agentHeaders,
  });
  assertEquals(response.status, 200);
  const call = calls.at(-1)!;
  assertEquals([call.fn, call.args.p_agent_key, call.args.p_run_id], [
    "report_progress",
    AGENT.key,
    RUN_ID,
  ]);
  assertEquals((call.args.p_progress as { cursor: unknown }).cursor, {
    source: "ferrawin",
    lastCode: "2025-000042",
  });
  assertEquals(notifier.events.length, 1);
  const event = notifier.events[0]!;
  assertEquals([event.channel, event.event], ["private-sync-status", "run.progress"]);
  const payload = RunProgressEvent.parse(event.data);
  assertEquals([payload.runId, payload.done, payload.lastItem?.code], [RUN_ID, 42, "2025-000012"]);
});

Deno.test("a run id that is not a UUID is 404; someone else's run is 404 from the database", async () => {
  const { request, calls } = createTestApp({
    report_progress: () => {
      throw new ScriptedRpcError({ code: "PT404", message: "run not found" }, 404);
    },
  });
  const notUuid = await request("/agent/runs/42/progress", {
    json: { done: 1 },
    headers: agentHeaders,
  });
  assertEquals(notUuid.status, 404);
  assertEquals(calls.some((c) => c.fn === "report_progress"), false);
  const notMine = await request(`/agent/runs/${RUN_ID}/progress`, {
    json: { done: 1 },
    headers: agentHeaders,
  });
  assertEquals(notMine.status, 404);
});
