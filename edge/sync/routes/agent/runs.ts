// POST /agent/runs: open a run for a claimed command (or a scheduled run), or reopen a paused one. The
// answer carries the run's highest stored batch seq (`lastSeq`), so a resumed run never reuses one.
import { Hono } from "hono";
import { RunOpenRequest, type RunSummary } from "../../../../protocol/src/index.ts";
import { readJson } from "../../../_shared/body.ts";
import { BODY_LIMITS } from "../../../_shared/body-limits.ts";
import type { SyncEnv } from "../../context.ts";
import { requireAgent } from "../../middleware/require-agent.ts";

export const openRun = new Hono<SyncEnv>().post("/agent/runs", requireAgent, async (c) => {
  const request = await readJson(c.req.raw, RunOpenRequest, BODY_LIMITS.openRun);
  const run = await c.var.agentRpc.call<RunSummary>("open_run", {
    p_agent_key: c.var.agent.key,
    p_request: request,
  });
  return c.json(run, request.resumeRunId ? 200 : 201);
});
