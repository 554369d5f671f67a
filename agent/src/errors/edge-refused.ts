// EdgeRefused: the edge refused a request that is not a batch (claim, heartbeat, reject, progress…)
// with a 4xx other than 401, 409 and 426. Retrying the same request would not help. A refused batch is
// IngestRejected instead.
import { AgentError } from "./agent-error.ts";

export class EdgeRefused extends AgentError {
  override readonly name: string = "EdgeRefused";
  readonly code: string = "edge_refused";
  constructor(
    readonly status: number,
    /** The server's error code, e.g. `not_found`. */
    readonly serverCode: string,
    /** The server's own words. */
    readonly serverMessage: string,
    readonly route: string,
    /** More of what the server said (a batch's issues), for the message. */
    detail = "",
  ) {
    super(
      `the server refused ${route || "the request"} (${status} ${serverCode}): ${serverMessage}` +
        (detail ? ` [${detail}]` : ""),
    );
  }
}
