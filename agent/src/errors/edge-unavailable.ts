// EdgeUnavailable: the Puente API could not be reached, or kept failing after every retry.
import { AgentError } from "./agent-error.ts";

export class EdgeUnavailable extends AgentError {
  override readonly name = "EdgeUnavailable";
  readonly code = "edge_unavailable";
  constructor(readonly route: string, readonly detail: string, options?: { cause?: unknown }) {
    super(
      `the Puente API did not answer ${route} (${detail}). Check PUENTE_API_URL and the internet ` +
        "connection; the agent retries on its own.",
      options,
    );
  }
}
