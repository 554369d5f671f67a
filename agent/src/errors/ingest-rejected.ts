// IngestRejected: the edge refused a request as invalid (4xx other than 401/409). Retrying would not help.
import type { ErrorIssue } from "@puente/protocol";

export class IngestRejected extends Error {
  override readonly name = "IngestRejected";
  readonly code = "ingest_rejected";
  constructor(
    readonly status: number,
    /** The server's error code, e.g. `validation_failed`. */
    readonly serverCode: string,
    readonly serverMessage: string,
    readonly issues: ErrorIssue[] = [],
    readonly route = "",
  ) {
    const detail = summarizeIssues(issues);
    super(
      `the server refused ${route || "the request"} (${status} ${serverCode}): ${serverMessage}` +
        (detail ? ` [${detail}]` : ""),
    );
  }
}

/** The first few issues, `path: message; …`, for a one-line message. */
export const summarizeIssues = (issues: ErrorIssue[]): string =>
  issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join("; ");
