// `status`: the configuration (secrets masked), whether an agent holds the lock here, and the runs this
// agent left unfinished (paused, or interrupted by a stop).
import { type AgentConfig, describeConfig, redact } from "../config.ts";
import { lockHolder } from "../lock.ts";
import { lockPath, runStatePath } from "../paths.ts";
import { RunStateStore } from "../run-state.ts";
import { readApiWaiting } from "../status/api-waiting.ts";
import { readUpdateNeeded } from "../status/update-needed.ts";
import { AGENT_VERSION } from "../version.ts";

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
      status: r.status === "running" ? "interrupted" : "paused",
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
      ? `Agent process: running (PID ${status.agentProcess.pid})`
      : "Agent process: not running on this machine",
  );
  if (status.updateNeeded) {
    out(`UPDATE THE AGENT: ${status.updateNeeded.message} (${status.updateNeeded.at})`);
  }
  if (status.waitingForApi) {
    const w = status.waitingForApi;
    out(
      `API: waiting for the API since ${w.since} (${w.reason}); gives up at ${w.givesUpAt}`,
    );
  }
  if (status.unfinishedRuns.length === 0) out("Unfinished runs: none");
  for (const run of status.unfinishedRuns) {
    out(`Unfinished run: ${run.runId} ${run.source} ${run.status} since ${run.since}`);
  }
  return 0;
}
