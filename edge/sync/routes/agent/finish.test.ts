import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { RunFinishedEvent } from "../../../../protocol/src/index.ts";
import { agentHeaders, createTestApp, runSummary } from "../../testing.ts";

const RUN_ID = runSummary().id;
const finished = () =>
  runSummary({ status: "completed", done: 100, finishedAt: "2026-01-01T00:01:00.000Z" });

Deno.test("finishing stores the final status and broadcasts run.finished", async () => {
  const { request, calls, notifier } = createTestApp({ finish_run: finished });
  const response = await request(`/agent/runs/${RUN_ID}/finish`, {
    json: { status: "completed", done: 100, total: 100 },
    headers: agentHeaders,
  });
  assertEquals(response.status, 200);
  assertEquals(calls.at(-1)?.fn, "finish_run");
  const event = notifier.events[0]!;
  assertEquals([event.channel, event.event], ["private-sync-status", "run.finished"]);
  const payload = RunFinishedEvent.parse(event.data);
  assertEquals([payload.status, payload.finishedAt], ["completed", "2026-01-01T00:01:00.000Z"]);
});

Deno.test("a failed run must say why", async () => {
  const { request, calls } = createTestApp({ finish_run: finished });
  const response = await request(`/agent/runs/${RUN_ID}/finish`, {
    json: { status: "failed", done: 3 },
    headers: agentHeaders,
  });
  assertEquals(response.status, 422);
  assertEquals((await response.json()).error.issues[0].path, "error");
  assertEquals(calls.some((c) => c.fn === "finish_run"), false);
});
