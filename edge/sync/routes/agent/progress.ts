// POST /agent/runs/:id/progress: store the run's progress (and cursor), then tell everyone watching.
import { Hono } from "hono";
import {
  Channels,
  EventNames,
  RunProgress,
  type RunProgressEvent,
  type RunSummary,
} from "../../../../protocol/src/index.ts";
import { readJson } from "../../../_shared/body.ts";
import { BODY_LIMITS } from "../../../_shared/body-limits.ts";
import { notify, type SyncEnv } from "../../context.ts";
import { requireAgent } from "../../middleware/require-agent.ts";
import { runIdParam } from "./run-id.ts";

export function progressEvent(run: RunSummary): RunProgressEvent {
  return {
    runId: run.id,
    agentId: run.agentId,
    source: run.source,
    mode: run.mode,
    status: run.status,
    total: run.total,
    done: run.done,
    counts: run.counts,
    ratePerS: run.ratePerS,
    lastItem: run.lastItem,
    updatedAt: run.updatedAt,
  };
}

export const progress = new Hono<SyncEnv>().post(
  "/agent/runs/:id/progress",
  requireAgent,
  async (c) => {
    const runId = runIdParam(c.req.param("id"));
    const report = await readJson(c.req.raw, RunProgress, BODY_LIMITS.progress);
    const run = await c.var.agentRpc.call<RunSummary>("report_progress", {
      p_agent_key: c.var.agent.key,
      p_run_id: runId,
      p_progress: report,
    });
    await notify(c, Channels.syncStatus, EventNames.runProgress, progressEvent(run));
    return c.json(run);
  },
);
