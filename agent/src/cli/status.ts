// `status`: the configuration (secrets masked), whether an agent holds the lock here, and the runs this
// agent left unfinished (paused, or interrupted by a stop).
import { type AgentConfig, describeConfig, redact } from "../config.ts";
import { lockHolder } from "../lock.ts";
import { lockPath, runStatePath } from "../paths.ts";
import { RunStateStore } from "../run-state.ts";
import { readApiWaiting } from "../status/api-waiting.ts";
import { readUpdateNeeded } from "../status/update-needed.ts";
import { AGENT_VERSION } from "../version.ts";
import { t } from "../i18n/i18n.ts";

export function collectStatus(config: AgentConfig) {
  const holder = lockHolder(lockPath(config));
  const state = new RunStateStore(runStatePath(config));
  const unfinished = [
    ...state.interrupted(),
    ...(["ferrawin", "wispro"] as const).flatMap((s) => {
      const paused = state.lastPaused(s);
      return paused ? [paused] : [];
    }),
  ];
  return {
    version: AGENT_VERSION,
    config: describeConfig(config),
    agentProcess: holder !== null ? { pid: holder } : null,
    updateNeeded: readUpdateNeeded(config.stateDir),
    // Only the running agent's own record counts: one left by a killed process is stale.
    waitingForApi: holder !== null && readApiWaiting(config.stateDir)?.pid === holder
      ? readApiWaiting(config.stateDir)
      : null,
    unfinishedRuns: unfinished.map((r) => ({
      runId: r.runId,
      source: r.source,
      status: r.status === "running" ? "interrupted" as const : "paused" as const,
      since: r.updatedAt,
    })),
  };
}

/**
 * Prints the status. Every line passes through `redact`: what the files it reads hold (a server's
 * message, an outage's reason) may carry a secret that reached them.
 */
export function statusCommand(
  config: AgentConfig,
  options: { json: boolean },
  print: (line: string) => void = console.log,
): number {
  const status = collectStatus(config);
  const out = (line: string) => print(redact(line, config.secrets));
  if (options.json) {
    out(JSON.stringify(status, null, 2));
    return 0;
  }
  const width = Math.max(...Object.keys(status.config).map((k) => k.length));
  out(`puente-agent ${status.version}`);
  for (const [key, value] of Object.entries(status.config)) {
    out(`  ${key.padEnd(width)}  ${value}`);
  }
  out(
    status.agentProcess
      ? t("status.processRunning", { pid: status.agentProcess.pid })
      : t("status.processNotRunning"),
  );
  const update = status.updateNeeded;
  if (update) {
    const message = update.serverMessage === undefined
      ? update.message
      : t("status.updateReason", { server: update.serverMessage });
    out(t("status.updateNeeded", { message, at: update.at }));
  }
  if (status.waitingForApi) out(t("status.waitingForApi", { ...status.waitingForApi }));
  if (status.unfinishedRuns.length === 0) out(t("status.noUnfinished"));
  for (const run of status.unfinishedRuns) {
    out(t("status.unfinished", { ...run, status: t(`status.run.${run.status}`) }));
  }
  return 0;
}
