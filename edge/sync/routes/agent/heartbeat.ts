// POST /agent/heartbeat: the agent is alive (last seen, version, hostname); a backup for presence.
import { Hono } from "hono";
import {
  type AgentHeartbeatEvent,
  Channels,
  EventNames,
  Heartbeat,
} from "../../../../protocol/src/index.ts";
import { readJson } from "../../../_shared/body.ts";
import { BODY_LIMITS } from "../../../_shared/body-limits.ts";
import { notify, type SyncEnv } from "../../context.ts";
import { requireAgent } from "../../middleware/require-agent.ts";

export const heartbeat = new Hono<SyncEnv>().post("/agent/heartbeat", requireAgent, async (c) => {
  const beat = await readJson(c.req.raw, Heartbeat, BODY_LIMITS.heartbeat);
  const stored = await c.var.agentRpc.call<{ lastSeenAt?: string }>("agent_heartbeat", {
    p_agent_key: c.var.agent.key,
    p_heartbeat: beat,
  });
  const event: AgentHeartbeatEvent = {
    agentId: c.var.agent.agentId,
    version: beat.version,
    hostname: beat.hostname,
    activeRunId: beat.activeRunId,
    at: stored?.lastSeenAt ?? new Date().toISOString(),
  };
  await notify(c, Channels.syncStatus, EventNames.agentHeartbeat, event);
  return c.json(stored);
});
