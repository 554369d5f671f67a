// POST /agent/commands/claim: the agent takes its pending commands, each claimed exactly once.
// POST /agent/commands/:id/reject: a claimed command the agent cannot carry out is marked `rejected`
// with its reason, so it is never delivered again.
import { Hono } from "hono";
import {
  ClaimRequest,
  type ClaimResponse,
  type CommandRejected,
  CommandRejectRequest,
  Uuid,
} from "../../../../protocol/src/index.ts";
import { readJson } from "../../../_shared/body.ts";
import { BODY_LIMITS } from "../../../_shared/body-limits.ts";
import { ApiError } from "../../../_shared/errors.ts";
import type { SyncEnv } from "../../context.ts";
import { requireAgent } from "../../middleware/require-agent.ts";

export const claim = new Hono<SyncEnv>().post("/agent/commands/claim", requireAgent, async (c) => {
  const request = await readJson(c.req.raw, ClaimRequest, BODY_LIMITS.claim);
  const claimed = await c.var.agentRpc.call<ClaimResponse>("claim_commands", {
    p_agent_key: c.var.agent.key,
    p_limit: request.limit,
  });
  return c.json(claimed);
}).post("/agent/commands/:id/reject", requireAgent, async (c) => {
  const commandId = Uuid.safeParse(c.req.param("id"));
  if (!commandId.success) throw new ApiError(404, "not_found", "no such command");
  const request = await readJson(c.req.raw, CommandRejectRequest, BODY_LIMITS.rejectCommand);
  const rejected = await c.var.agentRpc.call<CommandRejected>("reject_command", {
    p_agent_key: c.var.agent.key,
    p_command_id: commandId.data,
    p_reason: request.reason,
  });
  return c.json(rejected);
});
