// Pusher event names, channels and payloads. Pusher only rings and informs: nothing here is trusted as a command.
import { z } from "zod";
import { Count, IsoDateTime, RunCounts, Source, text, Uuid } from "./common.ts";
import { LastItem, RunError, RunStatus } from "./runs.ts";

export const Channels = {
  agent: (agentId: string) => `private-agent-${agentId}`,
  syncStatus: "private-sync-status",
  agentsPresence: "presence-agents",
} as const;

export const EventNames = {
  commandAvailable: "command.available",
  runProgress: "run.progress",
  runFinished: "run.finished",
  agentHeartbeat: "agent.heartbeat",
} as const;

export const CommandAvailableEvent = z.object({ commandId: Uuid });
export type CommandAvailableEvent = z.infer<typeof CommandAvailableEvent>;

export const RunProgressEvent = z.object({
  runId: Uuid,
  agentId: Uuid,
  source: Source,
  mode: text(32),
  status: RunStatus,
  total: Count.nullable(),
  done: Count,
  counts: RunCounts,
  ratePerS: z.number().nullable(),
  lastItem: LastItem.nullable(),
  updatedAt: IsoDateTime,
});
export type RunProgressEvent = z.infer<typeof RunProgressEvent>;

export const RunFinishedEvent = z.object({
  runId: Uuid,
  agentId: Uuid,
  source: Source,
  status: RunStatus,
  done: Count,
  total: Count.nullable(),
  counts: RunCounts,
  error: RunError.nullable(),
  finishedAt: IsoDateTime,
});
export type RunFinishedEvent = z.infer<typeof RunFinishedEvent>;

export const AgentHeartbeatEvent = z.object({
  agentId: Uuid,
  version: text(64),
  hostname: text(255),
  activeRunId: Uuid.nullable(),
  at: IsoDateTime,
});
export type AgentHeartbeatEvent = z.infer<typeof AgentHeartbeatEvent>;

/** What an agent puts in presence-agents' channel_data user_info. */
export const AgentPresenceInfo = z.object({
  name: text(200),
  hostname: text(255),
  version: text(64),
});
