import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resumeSeq, Runner, type RunOutcome, type RunSnapshot } from "./runner.ts";
import { sourceOpener } from "../sources/registry.ts";
import { MAX_IN_FLIGHT_LIMIT } from "../sink/batch-pipeline.ts";
import { createEdgeClient } from "../sink/edge-client.ts";
import { RunStateStore } from "../run-state.ts";
import { Logger } from "../status/log.ts";
import { SourceUnavailable } from "../errors/source-unavailable.ts";
import { AGENT_ID, AGENT_KEY, type FakeEdge, startFakeEdge } from "../../test/fake-edge.ts";
import {
  type FakeFerrawinOptions,
  fakeFerrawinSource,
  planillaCode,
} from "../../test/fake-sources.ts";

let edge: FakeEdge;
let dir: string;
beforeAll(() => {
  edge = startFakeEdge();
  dir = mkdtempSync(join(tmpdir(), "puente-runner-"));
});
afterAll(async () => {
  await edge.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => edge.reset());

let stateCount = 0;
function setup(
  sourceOptions: FakeFerrawinOptions,
  extra: {
    statePath?: string;
    planillasPerBatch?: number;
    onUpdate?: (s: RunSnapshot) => void;
    keepAwake?: () => () => void;
  } = {},
) {
  const fake = fakeFerrawinSource(sourceOptions);
  const logger = new Logger({ dir: null });
  const state = new RunStateStore(extra.statePath ?? join(dir, `state-${stateCount++}.json`));
  const runner = new Runner({
    edge: createEdgeClient({
      baseUrl: edge.url,
      agentKey: AGENT_KEY,
      retry: { limit: 3, baseDelayMs: 5, backoffLimitMs: 20 },
    }),
    openSource: sourceOpener({ ferrawin: () => fake.source }),
    logger,
    state,
    batch: { planillas: extra.planillasPerBatch ?? 4, elementos: 5000, maxInFlight: 3 },
    progressIntervalMs: 100,
    onUpdate: extra.onUpdate,
    keepAwake: extra.keepAwake,
  });
  return { runner, fake, state, logger };
}

const batchesOf = (runId: string) =>
  edge.requests.filter((r) => r.path === `/agent/runs/${runId}/batches`);
const progressOf = (runId: string) =>
  edge.requests.filter((r) => r.path === `/agent/runs/${runId}/progress`);
const finishOf = (runId: string) =>
  edge.requests.filter((r) => r.path === `/agent/runs/${runId}/finish`);

async function waitFor(check: () => boolean, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await Bun.sleep(5);
  }
}

const command = (action: string, params: Record<string, unknown>) => ({
  id: crypto.randomUUID(),
  requestId: crypto.randomUUID(),
  agentId: AGENT_ID,
  source: "ferrawin" as const,
  action: action as "start",
  params,
  scheduled: false,
  createdAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
});

describe("runner", () => {
  test("streams every planilla in batches and finishes completed with counts", async () => {
    const { runner, fake, state } = setup({ planillas: 10, rejectEvery: 5 });
    const outcome = await runner.start({ source: "ferrawin", params: { mode: "all" } });

    expect(outcome.status).toBe("completed");
    expect(outcome.done).toBe(10);
    expect(outcome.total).toBe(10);
    expect(outcome.counts.planillas).toMatchObject({ created: 8, rejected: 2 });
    expect(batchesOf(outcome.runId).map((r) => (r.body as { seq: number }).seq)).toEqual([0, 1, 2]);
    const finish = finishOf(outcome.runId);
    expect(finish).toHaveLength(1);
    expect(finish[0]!.body).toMatchObject({ status: "completed", done: 10 });
    expect(edge.runs.get(outcome.runId)!.status).toBe("completed");
    expect(edge.stored.size).toBe(8);
    expect(fake.calls.closed).toBe(1);
    expect(state.get(outcome.runId)).toBeNull();
  });

  test("keeps the PC awake while the run is active, and lets it sleep once it ends", async () => {
    const events: string[] = [];
    const { runner } = setup({ planillas: 6 }, {
      planillasPerBatch: 2,
      keepAwake: () => {
        events.push(`hold (stored ${edge.stored.size})`);
        return () => events.push(`release (stored ${edge.stored.size})`);
      },
    });
    const outcome = await runner.start({ source: "ferrawin", params: { mode: "all" } });
    expect(outcome.status).toBe("completed");
    expect(events).toEqual(["hold (stored 0)", "release (stored 6)"]);
  });

  test("reports progress at most once per interval, with cursor and last item", async () => {
    const { runner } = setup({ planillas: 40, delayMs: 8 }, { planillasPerBatch: 2 });
    const outcome = await runner.start({ source: "ferrawin", params: { mode: "all" } });
    const reports = progressOf(outcome.runId);
    expect(reports.length).toBeGreaterThan(2);
    for (let i = 2; i < reports.length; i++) {
      expect(reports[i]!.at - reports[i - 1]!.at).toBeGreaterThanOrEqual(50);
    }
    const last = reports.at(-1)!.body as {
      cursor: { lastCode: string };
      lastItem: { code: string };
      ratePerS: number;
    };
    expect(last.cursor.lastCode).toMatch(/^2025-0000\d\d$/);
    expect(last.lastItem.code >= last.cursor.lastCode).toBe(true);
    expect(last.ratePerS).toBeGreaterThan(0);
  });

  test("pause drains in-flight batches, saves the acknowledged cursor, and resume continues after it", async () => {
    const statePath = join(dir, "pause-state.json");
    const first = setup({ planillas: 30, delayMs: 5 }, { statePath });
    const running = first.runner.start({ source: "ferrawin", params: { mode: "all" } });
    await waitFor(() => edge.stored.size >= 8);
    expect(first.runner.pause()).toBe(true);
    const paused = await running;

    expect(paused.status).toBe("paused");
    const run = edge.runs.get(paused.runId)!;
    expect(run.status).toBe("paused");
    const cursor = run.cursor as { source: "ferrawin"; lastCode: string };
    expect(cursor.lastCode).toBe(
      paused.cursor && "lastCode" in paused.cursor ? paused.cursor.lastCode : "",
    );
    // Every planilla up to the cursor is stored, and nothing was left in flight.
    const upTo = Number(cursor.lastCode.slice(5));
    for (let n = 1; n <= upTo; n++) expect(edge.stored.has(planillaCode(n))).toBe(true);
    expect(paused.done).toBe(edge.stored.size);
    expect(finishOf(paused.runId)).toHaveLength(0);
    expect(first.state.get(paused.runId)?.status).toBe("paused");

    const second = setup({ planillas: 30 }, { statePath });
    const resumed = await second.runner.resume({ source: "ferrawin" });
    expect(resumed.runId).toBe(paused.runId);
    expect(resumed.status).toBe("completed");
    expect(second.fake.calls.extracts).toEqual([cursor.lastCode]);
    expect(resumed.done).toBe(30);
    expect(edge.stored.size).toBe(30);
    // Seqs continue after the ones used before the pause: nothing is mistaken for a replay.
    const seqs = batchesOf(paused.runId).map((r) => (r.body as { seq: number }).seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(edge.seqReuses).toEqual([]);
  });

  test("a run whose state file was lost resumes from the server's lastSeq, never reusing a seq", async () => {
    const first = setup({ planillas: 30, delayMs: 5 }, { planillasPerBatch: 2 });
    const running = first.runner.start({ source: "ferrawin", params: { mode: "all" } });
    await waitFor(() => edge.stored.size >= 8);
    first.runner.pause();
    const paused = await running;
    const seqsBefore = batchesOf(paused.runId).map((r) => (r.body as { seq: number }).seq);

    // A fresh state file: the agent knows the run only by the id the panel's resume command carries.
    const second = setup({ planillas: 30 }, { planillasPerBatch: 2 });
    expect(second.state.get(paused.runId)).toBeNull();
    const resumed = await second.runner.resume({ runId: paused.runId, source: "ferrawin" });
    expect(resumed.status).toBe("completed");
    expect(edge.stored.size).toBe(30);
    expect(edge.seqReuses).toEqual([]);
    const seqsAfter = batchesOf(paused.runId).map((r) => (r.body as { seq: number }).seq)
      .slice(seqsBefore.length);
    // Past the server's highest seq and a whole in-flight window the lost process may still land.
    expect(Math.min(...seqsAfter)).toBe(Math.max(...seqsBefore) + 1 + MAX_IN_FLIGHT_LIMIT);
  });

  test("resumeSeq continues after the larger of the local and the server's highest seq", () => {
    expect(resumeSeq(7, 3)).toBe(8);
    expect(resumeSeq(3, 7)).toBe(8);
    expect(resumeSeq(-1, null)).toBe(0);
    expect(resumeSeq(null, null)).toBe(MAX_IN_FLIGHT_LIMIT);
    expect(resumeSeq(null, 9)).toBe(10 + MAX_IN_FLIGHT_LIMIT);
  });

  test("cancel stops at a batch boundary and finishes cancelled", async () => {
    const { runner } = setup({ planillas: 200, delayMs: 3 });
    const running = runner.start({ source: "ferrawin", params: { mode: "all" } });
    await waitFor(() => edge.stored.size >= 4);
    expect(await runner.cancel()).toBe(true);
    const outcome: RunOutcome = await running;
    expect(outcome.status).toBe("cancelled");
    expect(outcome.done).toBeLessThan(200);
    expect(outcome.done).toBe(edge.stored.size);
    expect(edge.runs.get(outcome.runId)!.status).toBe("cancelled");
  });

  test("a paused run that is not active can be cancelled", async () => {
    const statePath = join(dir, "cancel-paused.json");
    const { runner } = setup({ planillas: 50, delayMs: 3 }, { statePath });
    const running = runner.start({ source: "ferrawin", params: { mode: "all" } });
    await waitFor(() => edge.stored.size >= 4);
    runner.pause();
    const paused = await running;
    expect(await runner.cancel({ runId: paused.runId })).toBe(true);
    expect(edge.runs.get(paused.runId)!.status).toBe("cancelled");
  });

  test("a source failure finishes the run failed with the error's code and message", async () => {
    const { runner, fake } = setup({
      planillas: 20,
      failAfter: {
        items: 6,
        error: new SourceUnavailable("ferrawin", "login failed: check FERRAWIN_PASSWORD"),
      },
    });
    const outcome = await runner.start({ source: "ferrawin", params: { mode: "all" } });
    expect(outcome.status).toBe("failed");
    expect(outcome.error).toEqual({
      code: "source_unavailable",
      message: "ferrawin: login failed: check FERRAWIN_PASSWORD",
    });
    const run = edge.runs.get(outcome.runId)!;
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("source_unavailable");
    expect(fake.calls.closed).toBe(1);
    expect(runner.activeRunId).toBeNull();
  });

  test("a batch the edge rejects fails the run with ingest_rejected and the server's issues", async () => {
    const { runner } = setup({ planillas: 12 });
    edge.fault = (request) =>
      (request.body as { seq?: number })?.seq === 1
        ? {
          status: 422,
          body: {
            error: {
              code: "validation_failed",
              message: "bad batch",
              issues: [{ path: "planillas.0.codigo", message: "bad code" }],
            },
          },
        }
        : null;
    const outcome = await runner.start({ source: "ferrawin", params: { mode: "all" } });
    expect(outcome.status).toBe("failed");
    expect(outcome.error!.code).toBe("ingest_rejected");
    expect(outcome.error!.message).toContain("planillas.0.codigo: bad code");
    expect(edge.runs.get(outcome.runId)!.status).toBe("failed");
  });

  test("after a crash, a new runner resumes its own interrupted run from the server's cursor", async () => {
    const statePath = join(dir, "crash.json");
    const crashed = setup({ planillas: 20 }, { statePath });
    const run = await createEdgeClient({ baseUrl: edge.url, agentKey: AGENT_KEY }).openRun({
      source: "ferrawin",
      params: { mode: "all" },
    });
    // The crashed process had sent seqs 0..2 and the server acknowledged up to planilla 8.
    crashed.state.save({
      runId: run.id,
      source: "ferrawin",
      params: { mode: "all" },
      status: "running",
      lastSeq: 2,
    });
    edge.runs.get(run.id)!.cursor = { source: "ferrawin", lastCode: planillaCode(8) };
    edge.runs.get(run.id)!.done = 8;

    const restarted = setup({ planillas: 20 }, { statePath });
    const [interrupted] = restarted.state.interrupted();
    expect(interrupted?.runId).toBe(run.id);
    const outcome = await restarted.runner.resume({ runId: run.id });
    expect(outcome.status).toBe("completed");
    expect(restarted.fake.calls.extracts).toEqual([planillaCode(8)]);
    expect(outcome.done).toBe(20);
    expect(Math.min(...batchesOf(run.id).map((r) => (r.body as { seq: number }).seq))).toBe(3);
  });

  test("claimed commands are dispatched: a start while a run is active waits its turn", async () => {
    const { runner } = setup({ planillas: 30, delayMs: 2 });
    runner.handle(command("start", { mode: "all" }));
    runner.handle(command("start", { mode: "one", code: "2025-3" }));
    await runner.idle();
    const runs = [...edge.runs.values()];
    expect(runs.map((r) => [r.mode, r.status])).toEqual([["all", "completed"], [
      "one",
      "completed",
    ]]);
    expect(runs[1]!.params).toEqual({ mode: "one", code: "2025-000003" });
  });

  test("a start delivered again while it waits its turn is queued once", async () => {
    const { runner } = setup({ planillas: 30, delayMs: 2 });
    runner.handle(command("start", { mode: "all" }));
    const waiting = command("start", { mode: "one", code: "2025-3" });
    runner.handle(waiting);
    runner.handle(waiting);
    await runner.idle();
    expect([...edge.runs.values()].map((r) => r.mode)).toEqual(["all", "one"]);
  });

  test("pause and resume commands act on the active run and continue it", async () => {
    const { runner } = setup({ planillas: 40, delayMs: 3 }, { statePath: join(dir, "cmds.json") });
    runner.handle(command("start", { mode: "all" }));
    await waitFor(() => edge.stored.size >= 4);
    runner.handle(command("pause", {}));
    await runner.idle();
    const [run] = [...edge.runs.values()];
    expect(run!.status).toBe("paused");
    expect(edge.stored.size).toBeLessThan(40);
    runner.handle(command("resume", { runId: run!.id }));
    await runner.idle();
    expect(edge.runs.get(run!.id)!.status).toBe("completed");
    expect(edge.stored.size).toBe(40);
    expect(edge.runs.size).toBe(1);
  });
});
