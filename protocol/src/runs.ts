// Runs: opening, progress, finish and the run summary the web reads. The agent owns a run's lifecycle.
import { z } from "zod";
import { ProtocolVersion } from "./version.ts";
import { PlanillaCode } from "./planilla-code.ts";
import { Count, IsoDateTime, RunCounts, Source, text, Uuid } from "./common.ts";
import { FerrawinParams, WisproParams } from "./commands.ts";

export const RunStatus = z.enum([
  "queued",
  "running",
  "paused",
  "completed",
  "failed",
  "cancelled",
  "stalled",
]);
export type RunStatus = z.infer<typeof RunStatus>;
export const FINAL_RUN_STATUSES = ["completed", "failed", "cancelled"] as const;

/** Where a run stands in its source's order, saved on the server so a paused or crashed run continues. */
export const RunCursor = z.discriminatedUnion("source", [
  z.object({
    source: z.literal("ferrawin"),
    /** The last planilla code whose batch, and every batch before it, was acknowledged. */
    lastCode: PlanillaCode,
  }).strict(),
  z.object({
    source: z.literal("wispro"),
    /** Every page up to and including this one was acknowledged. */
    lastPage: z.number().int().nonnegative(),
  }).strict(),
]);
export type RunCursor = z.infer<typeof RunCursor>;

export const RunParams = z.union([FerrawinParams, WisproParams]);

/** `POST /agent/runs`: open a run for a claimed command (or a scheduled or one-shot run), or reopen one. */
export const RunOpenRequest = z.object({
  v: ProtocolVersion,
  commandId: Uuid.nullable().default(null),
  source: Source,
  /** Required for a new run; a reopened run keeps the params it was opened with. */
  params: RunParams.optional(),
  scheduled: z.boolean().default(false),
  /** Continue this paused or stalled run of the same agent instead of opening a new one. */
  resumeRunId: Uuid.optional(),
  total: Count.nullable().default(null),
}).strict().refine((r) => r.params !== undefined || r.resumeRunId !== undefined, {
  error: "params are required to open a new run",
  path: ["params"],
});
export type RunOpenRequest = z.infer<typeof RunOpenRequest>;

export const LogLevel = z.enum(["debug", "info", "warn", "error"]);
export const RunEvent = z.object({
  level: LogLevel,
  message: text(2000),
  at: IsoDateTime,
}).strict();
export type RunEvent = z.infer<typeof RunEvent>;

/** The last record the run handled, so people watching recognise where it is. */
export const LastItem = z.object({
  code: text(64),
  cliente: text(200).nullable().default(null),
  obra: text(200).nullable().default(null),
}).strict();

/** `POST /agent/runs/:id/progress`, at most once a second. `status` pauses or continues the run. */
export const RunProgress = z.object({
  v: ProtocolVersion,
  status: z.enum(["running", "paused"]).default("running"),
  total: Count.nullable().default(null),
  done: Count,
  counts: RunCounts.default({}),
  cursor: RunCursor.nullable().default(null),
  ratePerS: z.number().nonnegative().max(1e9).nullable().default(null),
  lastItem: LastItem.nullable().default(null),
  events: z.array(RunEvent).max(200).default([]),
}).strict();
export type RunProgress = z.infer<typeof RunProgress>;

export const RunError = z.object({
  code: text(64),
  message: text(2000),
}).strict();
export type RunError = z.infer<typeof RunError>;

/** `POST /agent/runs/:id/finish`. */
export const RunFinish = z.object({
  v: ProtocolVersion,
  status: z.enum(FINAL_RUN_STATUSES),
  total: Count.nullable().default(null),
  done: Count,
  counts: RunCounts.default({}),
  error: RunError.nullable().default(null),
  events: z.array(RunEvent).max(200).default([]),
}).strict().refine((f) => f.status !== "failed" || f.error !== null, {
  error: "a failed run must say why (error)",
  path: ["error"],
});
export type RunFinish = z.infer<typeof RunFinish>;

/** A run as stored and shown: the answer of `POST /agent/runs` and what the web lists. */
export const RunSummary = z.object({
  id: Uuid,
  agentId: Uuid,
  commandId: Uuid.nullable(),
  source: Source,
  mode: text(32),
  params: z.record(z.string(), z.unknown()),
  status: RunStatus,
  scheduled: z.boolean(),
  total: Count.nullable(),
  done: Count,
  counts: RunCounts,
  cursor: RunCursor.nullable(),
  ratePerS: z.number().nullable(),
  lastItem: LastItem.nullable(),
  error: RunError.nullable(),
  createdAt: IsoDateTime,
  startedAt: IsoDateTime.nullable(),
  updatedAt: IsoDateTime,
  finishedAt: IsoDateTime.nullable(),
  /**
   * The highest batch seq the server has stored for this run (null before the first), answered when a
   * run is opened or reopened: a resumed run continues after it, even if the agent lost its own record.
   */
  lastSeq: Count.nullable().optional(),
});
export type RunSummary = z.infer<typeof RunSummary>;

/** `POST /agent/heartbeat`. */
export const Heartbeat = z.object({
  v: ProtocolVersion,
  version: text(64),
  hostname: text(255),
  activeRunId: Uuid.nullable().default(null),
}).strict();
export type Heartbeat = z.infer<typeof Heartbeat>;

/** `POST /agent/fingerprints`: what the incremental mode compares the source against. */
export const FingerprintsRequest = z.object({
  v: ProtocolVersion,
  year: z.number().int().min(1990).max(2200).nullable().default(null),
}).strict();
export type FingerprintsRequest = z.infer<typeof FingerprintsRequest>;

/** Stored planillas (and planillas rejected at a fingerprint) by code: `{ "2026-000886": "v1:…" }`. */
export const FingerprintsResponse = z.object({
  v: ProtocolVersion,
  fingerprints: z.record(z.string(), z.string()),
});
export type FingerprintsResponse = z.infer<typeof FingerprintsResponse>;
