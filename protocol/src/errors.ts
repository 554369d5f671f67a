// The one error envelope every route answers with, and the codes a client can act on.
import { z } from "zod";

/**
 * Each 409 the database raises on purpose names its situation (SQL `detail`, see
 * supabase/migrations/20261205000500_conflict_codes.sql); the edge answers it as the envelope's code.
 */
export const CONFLICT_CODES = [
  /** Another run of this agent and source is active (open, resume, progress). */
  "run_active",
  /** A resume of a run that already ended. */
  "run_not_resumable",
  /** A batch, progress or finish for a run that is no longer running (paused, cancelled, ended). */
  "run_not_running",
  /** A start command whose run already ended. */
  "command_already_ran",
  /** A start command whose run another process is already streaming. */
  "command_run_under_way",
  /** A start while a sync of that agent and source is running or waiting. */
  "sync_already_active",
  /** A requestId that was used for another command. */
  "request_id_reused",
  /** A reject of a command that is not claimed. */
  "command_not_claimed",
  /** A batch met a concurrent batch writing the same planilla: nothing was written, resending succeeds. */
  "batch_conflict",
  /** A portal-account call for a run that is not a Wispro run. */
  "run_not_wispro",
] as const;
export type ConflictCode = (typeof CONFLICT_CODES)[number];

export const isConflictCode = (code: string): code is ConflictCode =>
  (CONFLICT_CODES as readonly string[]).includes(code);

export const ErrorCode = z.enum([
  "invalid_json",
  "validation_failed",
  "unauthorized",
  "forbidden",
  "not_found",
  /** A 409 the database did not name (a unique or foreign-key violation, a rare race). */
  "conflict",
  ...CONFLICT_CODES,
  "payload_too_large",
  "unsupported_media_type",
  "unprocessable",
  "rate_limited",
  "internal",
  /** 426: the message's protocol version `v` is one this API no longer (or does not yet) speak. */
  "protocol_unsupported",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorIssue = z.object({ path: z.string(), message: z.string() });
export type ErrorIssue = z.infer<typeof ErrorIssue>;

export const ErrorEnvelope = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(ErrorIssue).optional(),
    requestId: z.string().optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/** Turns zod issues into short `path: message` pairs a person can read. */
export function describeIssues(error: z.ZodError): ErrorIssue[] {
  return error.issues.slice(0, 50).map((issue) => ({
    path: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));
}

/** One line for logs and CLI output: `field: message; field: message`. */
export function formatIssues(error: z.ZodError): string {
  return describeIssues(error).map((i) => `${i.path}: ${i.message}`).join("; ");
}
