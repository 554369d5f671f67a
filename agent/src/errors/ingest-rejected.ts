// IngestRejected: the edge refused a request as invalid (4xx other than 401/409). Retrying would not help.
import { AgentError } from "./agent-error.ts";
import type { ErrorIssue } from "@puente/protocol";

export class IngestRejected extends AgentError {
  override readonly name = "IngestRejected";
  readonly code = "ingest_rejected";
  constructor(
    readonly status: number,
    /** The server's error code, e.g. `validation_failed`. */
    readonly serverCode: string,
    serverMessage: string,
    readonly issues: ErrorIssue[] = [],
    readonly route = "",
  ) {
    const detail = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join("; ");
    super(
      `the server refused ${route || "the request"} (${status} ${serverCode}): ${serverMessage}` +
        (detail ? ` [${detail}]` : ""),
    );
  }
}
