// The one error envelope every route answers with, and the codes a client can act on.
import { z } from "zod";

export const ErrorCode = z.enum([
  "invalid_json",
  "validation_failed",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
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
