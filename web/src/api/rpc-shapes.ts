// Schemas of the read RPCs' answers (sync_overview, run_detail, year_status, …) as RPC_CONTRACT.md defines them.
// The run itself is the protocol's RunSummary; only the envelopes the protocol does not define live here.
import { z } from "zod";
import { RunSummary, SCHEDULE_INTERVALS } from "@puente/protocol";

export const AgentRow = z.object({
  id: z.string(),
  name: z.string(),
  hostname: z.string().nullable().default(null),
  version: z.string().nullable().default(null),
  lastSeenAt: z.string().nullable().default(null),
  revoked: z.boolean().default(false),
  /** The protocol version of the agent's last message the API read. */
  protocolSeen: z.number().int().nullable().default(null),
  /** The version the API speaks, while it refuses the agent's (outdatedAt set). */
  protocolNeeded: z.number().int().nullable().default(null),
  /** Since when the API refuses the agent's protocol version; null when it is accepted. */
  outdatedAt: z.string().nullable().default(null),
});
export type AgentRow = z.infer<typeof AgentRow>;

export const YearRow = z.object({
  year: z.number().int(),
  synced: z.number().int().nonnegative(),
  lastCode: z.string().nullable(),
});
export type YearRow = z.infer<typeof YearRow>;

export const ScheduleRow = z.object({
  agentId: z.string(),
  source: z.enum(["ferrawin", "wispro"]),
  intervalMinutes: z.number().int().nullable(),
  nextDueAt: z.string().nullable().default(null),
});
export type ScheduleRow = z.infer<typeof ScheduleRow>;

export const SyncOverview = z.object({
  agents: z.array(AgentRow),
  activeRuns: z.array(RunSummary),
  totals: z.object({
    planillas: z.number().nullable().default(null),
    elementos: z.number().nullable().default(null),
    customers: z.number().nullable().default(null),
  }),
  years: z.array(YearRow).default([]),
  schedules: z.array(ScheduleRow).default([]),
});
export type SyncOverview = z.infer<typeof SyncOverview>;

/** A history row: the run plus who asked for it and its rejects by reason (list_runs only). */
export const HistoryRun = RunSummary.extend({
  requestedBy: z.string().nullable().default(null),
  rejectsByReason: z.record(z.string(), z.number().int().nonnegative()).default({}),
});
export type HistoryRun = z.infer<typeof HistoryRun>;

export const RunList = z.array(HistoryRun);

export const RunDetail = z.object({
  run: RunSummary,
  events: z.array(z.object({ level: z.string(), message: z.string(), at: z.string() })),
  rejects: z.array(z.object({
    recordKey: z.string(),
    reason: z.string(),
    detail: z.string().nullable().optional(),
    payload: z.unknown().optional(),
    at: z.string(),
  })),
});
export type RunDetail = z.infer<typeof RunDetail>;

export const CreatedAgent = z.object({ agentId: z.string(), key: z.string() });
export type CreatedAgent = z.infer<typeof CreatedAgent>;

export const ScheduleIntervalChoice = [null, ...SCHEDULE_INTERVALS] as const;
