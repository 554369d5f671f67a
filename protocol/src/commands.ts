// Commands: what a person asks an agent to do (start, pause, resume, cancel), and what the agent claims.
import { z } from "zod";
import { ProtocolVersion } from "./version.ts";
import { PlanillaCode } from "./planilla-code.ts";
import { IsoDateTime, Uuid, Year } from "./common.ts";

export const FerrawinMode = z.enum(["incremental", "year", "one", "all"], {
  error: "mode must be one of incremental, year, one, all",
});
export type FerrawinMode = z.infer<typeof FerrawinMode>;

export const FerrawinParams = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("incremental") }).strict(),
  z.object({ mode: z.literal("year"), year: Year, fromCode: PlanillaCode.optional() }).strict(),
  z.object({ mode: z.literal("one"), code: PlanillaCode }).strict(),
  z.object({ mode: z.literal("all") }).strict(),
], { error: "params.mode must be one of incremental, year, one, all" });
export type FerrawinParams = z.infer<typeof FerrawinParams>;

export const WisproParams = z.object({ mode: z.literal("full").default("full") }).strict();
export type WisproParams = z.infer<typeof WisproParams>;

/** Pause, resume and cancel address a run; without runId they address the agent's active run of that source. */
export const RunControlParams = z.object({ runId: Uuid.optional() }).strict();

const commandBase = {
  v: ProtocolVersion,
  requestId: Uuid,
  agentId: Uuid,
};

const StartFerrawin = z.object({
  ...commandBase,
  source: z.literal("ferrawin"),
  action: z.literal("start"),
  params: FerrawinParams,
}).strict();

const StartWispro = z.object({
  ...commandBase,
  source: z.literal("wispro"),
  action: z.literal("start"),
  params: WisproParams.default({ mode: "full" }),
}).strict();

const control = <A extends "pause" | "resume" | "cancel">(action: A) =>
  z.object({
    ...commandBase,
    source: z.enum(["ferrawin", "wispro"]),
    action: z.literal(action),
    params: RunControlParams.default({}),
  }).strict();

export const CommandAction = z.enum(["start", "pause", "resume", "cancel"], {
  error: "action must be one of start, pause, resume, cancel",
});
export type CommandAction = z.infer<typeof CommandAction>;

/** `POST /commands` body. */
export const CommandRequest = z.discriminatedUnion("action", [
  z.discriminatedUnion("source", [StartFerrawin, StartWispro], {
    error: "source must be 'ferrawin' or 'wispro'",
  }),
  control("pause"),
  control("resume"),
  control("cancel"),
], { error: "action must be one of start, pause, resume, cancel" });
export type CommandRequest = z.infer<typeof CommandRequest>;

export const CommandStatus = z.enum(["pending", "claimed", "done", "expired", "rejected"]);
export type CommandStatus = z.infer<typeof CommandStatus>;

/** `POST /commands` answer: the stored command (the same one again for a repeated requestId). */
export const CommandAccepted = z.object({
  v: ProtocolVersion,
  commandId: Uuid,
  status: CommandStatus,
  duplicate: z.boolean(),
  expiresAt: IsoDateTime,
});
export type CommandAccepted = z.infer<typeof CommandAccepted>;

/** A command as the agent receives it from `POST /agent/commands/claim`. */
export const ClaimedCommand = z.object({
  id: Uuid,
  requestId: Uuid,
  agentId: Uuid,
  source: z.enum(["ferrawin", "wispro"]),
  action: CommandAction,
  params: z.record(z.string(), z.unknown()),
  scheduled: z.boolean().default(false),
  createdAt: IsoDateTime,
  expiresAt: IsoDateTime,
});
export type ClaimedCommand = z.infer<typeof ClaimedCommand>;

export const ClaimRequest = z.object({
  v: ProtocolVersion,
  limit: z.number().int().min(1).max(50).default(10),
}).strict();
export type ClaimRequest = z.infer<typeof ClaimRequest>;

export const ClaimResponse = z.object({
  v: ProtocolVersion,
  commands: z.array(ClaimedCommand),
});
export type ClaimResponse = z.infer<typeof ClaimResponse>;

/** `POST /agent/commands/:id/reject`: the agent cannot carry out a claimed command, and says why. */
export const CommandRejectRequest = z.object({
  v: ProtocolVersion,
  reason: z.string().trim().min(1, { error: "reason is required" }).max(500),
}).strict();
export type CommandRejectRequest = z.infer<typeof CommandRejectRequest>;

export const CommandRejected = z.object({
  v: ProtocolVersion,
  commandId: Uuid,
  status: z.literal("rejected"),
  reason: z.string(),
});
export type CommandRejected = z.infer<typeof CommandRejected>;

/** Parses a claimed command's params for its source and action, so the agent trusts nothing unchecked. */
export function parseClaimedParams(command: ClaimedCommand) {
  if (command.action !== "start") {
    return { kind: "control" as const, params: RunControlParams.parse(command.params) };
  }
  return command.source === "ferrawin"
    ? { kind: "ferrawin" as const, params: FerrawinParams.parse(command.params) }
    : { kind: "wispro" as const, params: WisproParams.parse(command.params) };
}

/** Intervals an admin may choose for the automatic sync, in minutes (the source system offered the same). */
export const SCHEDULE_INTERVALS = [2, 5, 15, 30, 60, 120, 240] as const;
export const ScheduleInterval = z.union(SCHEDULE_INTERVALS.map((m) => z.literal(m)), {
  error: `interval must be one of ${SCHEDULE_INTERVALS.join(", ")} minutes`,
});
