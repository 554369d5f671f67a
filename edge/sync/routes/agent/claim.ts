// POST /agent/commands/claim: the agent takes its pending commands, each claimed exactly once.
import { Hono } from "hono";
import { ClaimRequest, type ClaimResponse } from "../../../../protocol/src/index.ts";
import { readJson } from "../../../_shared/body.ts";
import { BODY_LIMITS } from "../../../_shared/body-limits.ts";
import type { SyncEnv } from "../../context.ts";
import { requireAgent } from "../../middleware/require-agent.ts";

export const claim = new Hono<SyncEnv>().post("/agent/commands/claim", requireAgent, async (c) => {
  const request = await readJson(c.req.raw, ClaimRequest, BODY_LIMITS.claim);
  const claimed = await c.var.agentRpc.call<ClaimResponse>("claim_commands", {
    p_agent_key: c.var.agent.key,
    p_limit: request.limit,
  });
  return c.json(claimed);
});
