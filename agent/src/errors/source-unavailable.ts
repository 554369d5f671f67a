// SourceUnavailable: a source system (FerraWin's SQL Server, the Wispro API) cannot be reached or refuses the login.
import { AgentError } from "./agent-error.ts";

export class SourceUnavailable extends AgentError {
  override readonly name = "SourceUnavailable";
  readonly code = "source_unavailable";
  constructor(
    readonly source: "ferrawin" | "wispro",
    /** What went wrong and what to check, e.g. "login failed for user 'sa': check FERRAWIN_PASSWORD". */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${detail}`, options);
  }
}
