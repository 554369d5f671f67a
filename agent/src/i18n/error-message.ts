// What the CLI prints to a person for an error, in their language, chosen by the error's class: the
// classes keep their English messages for the log. An error without a translation prints its message.
import { AgentKeyInvalid } from "../errors/agent-key-invalid.ts";
import { AgentOutdated } from "../errors/agent-outdated.ts";
import { ConfigInvalid } from "../errors/config-invalid.ts";
import { EdgeUnavailable } from "../errors/edge-unavailable.ts";
import { IngestRejected, summarizeIssues } from "../errors/ingest-rejected.ts";
import { LockHeld } from "../errors/lock-held.ts";
import { RunConflict } from "../errors/run-conflict.ts";
import { SourceUnavailable } from "../errors/source-unavailable.ts";
import { t } from "./i18n.ts";

const SOURCE_NAMES = { ferrawin: "FerraWin", wispro: "Wispro" } as const;

export function describeError(error: unknown): string {
  if (error instanceof AgentKeyInvalid) return t("error.agentKeyInvalid");
  if (error instanceof AgentOutdated) {
    return t("error.agentOutdated", { server: error.serverMessage });
  }
  if (error instanceof ConfigInvalid) {
    return t("error.configInvalid", {
      problems: error.problems.map((p) => `  - ${p}`).join("\n"),
    });
  }
  if (error instanceof EdgeUnavailable) {
    return t("error.edgeUnavailable", { route: error.route, detail: error.detail });
  }
  if (error instanceof IngestRejected) {
    const issues = summarizeIssues(error.issues);
    return t("error.ingestRejected", {
      route: error.route || "?",
      status: error.status,
      code: error.serverCode,
      detail: error.serverMessage + (issues ? ` [${issues}]` : ""),
    });
  }
  if (error instanceof LockHeld) {
    return t("error.lockHeld", { pid: error.pid, path: error.path });
  }
  if (error instanceof RunConflict) {
    // The two conflicts a person meets at the terminal; the rarer ones keep their English advice.
    if (error.code === "run_not_running") {
      return t("error.runNotRunning", { server: error.serverMessage });
    }
    if (error.isAlreadyRunning) {
      return t("error.runAlreadyRunning", { server: error.serverMessage });
    }
  }
  if (error instanceof SourceUnavailable) {
    return t("error.sourceUnavailable", {
      source: SOURCE_NAMES[error.source],
      detail: error.detail,
    });
  }
  return (error as Error)?.message ?? String(error);
}
