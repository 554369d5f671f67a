// POST /agent/runs/:id/finish: store the final status and counts, then broadcast run.finished.
import { Hono } from "hono";
import {
  Channels,
  EventNames,
  RunFinish,
  type RunFinishedEvent,
  type RunSummary,
} from "../../../../protocol/src/index.ts";
import { readJson } from "../../../_shared/body.ts";
import { BODY_LIMITS } from "../../../_shared/body-limits.ts";
import { notify, type SyncEnv } from "../../context.ts";
import { requireAgent } from "../../middleware/require-agent.ts";
import { runIdParam } from "./run-id.ts";

export function finishedEvent(run: RunSummary): RunFinishedEvent {
  return {
    runId: run.id,
    agentId: run.agentId,
    source: run.source,
    status: run.status,
    done: run.done,
    total: run.total,
    counts: run.counts,
    error: run.error,
    finishedAt: run.finishedAt ?? run.updatedAt,
  };
}

export const finish = new Hono<SyncEnv>().post(
  "/agent/runs/:id/finish",
  requireAgent,
  async (c) => {
    const runId = runIdParam(c.req.param("id"));
    const report = await readJson(c.req.raw, RunFinish, BODY_LIMITS.finish);
    const run = await c.var.agentRpc.call<RunSummary>("finish_run", {
      p_agent_key: c.var.agent.key,
      p_run_id: runId,
      p_finish: report,
    });
    await notify(c, Channels.syncStatus, EventNames.runFinished, finishedEvent(run));
    return c.json(run);
  },
);
