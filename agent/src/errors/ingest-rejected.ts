// IngestRejected: the edge refused a batch as invalid (4xx other than 401/409/426). Retrying would not
// help. The server's issues (`path: message`) say which rows or fields.
import type { ErrorIssue } from "@puente/protocol";
import { EdgeRefused } from "./edge-refused.ts";

export class IngestRejected extends EdgeRefused {
  override readonly name = "IngestRejected";
  override readonly code = "ingest_rejected";
  constructor(
    status: number,
    serverCode: string,
    serverMessage: string,
    readonly issues: ErrorIssue[] = [],
    route = "",
  ) {
    super(status, serverCode, serverMessage, route, summarizeIssues(issues));
  }
}

/** The first few issues, `path: message; …`, for a one-line message. */
export const summarizeIssues = (issues: ErrorIssue[]): string =>
  issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join("; ");
