// Routes for office agents: the key (Bearer or x-agent-key) must be accepted by authenticate_agent;
// only then does the route get the service-role RPC.
import type { MiddlewareHandler } from "hono";
import { agentKeyOf } from "../../_shared/auth.ts";
import { ApiError } from "../../_shared/errors.ts";
import type { SyncEnv } from "../context.ts";

export const requireAgent: MiddlewareHandler<SyncEnv> = async (c, next) => {
  const key = agentKeyOf(c.req.raw);
  if (!key) {
    throw new ApiError(
      401,
      "unauthorized",
      "send the agent key (Authorization: Bearer <key> or x-agent-key)",
    );
  }
  const { agent, rpc } = await c.var.deps.db.authenticateAgent(key);
  c.set("agent", agent);
  c.set("agentRpc", rpc);
  await next();
};
