// Routes for office agents: the key (Bearer or x-agent-key) must be accepted by authenticate_agent;
// only then does the route get the service-role RPC. When the route refused the agent's protocol version
// (426), the refusal is recorded for that agent, so the panel can say "update the agent".
import type { MiddlewareHandler } from "hono";
import { PROTOCOL_VERSION } from "../../../protocol/src/index.ts";
import { agentKeyOf } from "../../_shared/auth.ts";
import { ApiError, ProtocolUnsupported } from "../../_shared/errors.ts";
import type { SyncContext, SyncEnv } from "../context.ts";

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
  // Hono has already turned the route's error into the response; c.error still names it.
  if (c.error instanceof ProtocolUnsupported) {
    await recordProtocolRefused(c, c.error.sent);
  }
};

/** Best effort: the agent gets its 426 whether or not the panel could be told. */
async function recordProtocolRefused(
  c: SyncContext,
  sent: number,
): Promise<void> {
  try {
    await c.var.agentRpc.call("agent_protocol_refused", {
      p_agent_key: c.var.agent.key,
      p_sent: sent,
      p_supported: PROTOCOL_VERSION,
    });
  } catch (error) {
    c.var.log("warn", "could not record the agent's refused protocol version", {
      agentId: c.var.agent.agentId,
      sent,
      error: String(error),
    });
  }
}
