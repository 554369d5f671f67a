// The agent's services, built once from the configuration for every command that runs syncs: `run`
// (daemon.ts) and `sync` (cli/sync.ts). What differs between them (the listener, the heartbeat, the
// progress bar) is theirs; the edge client, the run state and the runner are wired here only.
import { type AgentConfig, redact } from "./config.ts";
import { systemKeepAwake } from "./keep-awake.ts";
import { runStatePath } from "./paths.ts";
import { RunStateStore } from "./run-state.ts";
import { Runner, type RunSnapshot } from "./run/runner.ts";
import { createAgentEdgeClient } from "./sink/agent-edge.ts";
import type { EdgeClient } from "./sink/edge-client.ts";
import { createSourceOpener, type SourceOpener } from "./sources/registry.ts";
import { Logger } from "./status/log.ts";

export interface AgentServices {
  edge: EdgeClient;
  state: RunStateStore;
  runner: Runner;
}

export interface WiringOptions {
  /** Every change of the active run (the `sync` progress bar). */
  onUpdate?: (snapshot: RunSnapshot) => void;
  /** Keeps the PC awake during a run; the system's by default. */
  keepAwake?: () => () => void;
  /** Opens a run's source; the configured FerraWin and Wispro by default. */
  openSource?: SourceOpener;
}

/** The log of every command that runs syncs: to PUENTE_LOG_DIR, every configured secret masked. */
export function agentLogger(config: AgentConfig, options: { echo?: boolean } = {}): Logger {
  return new Logger({ dir: config.logDir, secrets: config.secrets, echo: options.echo });
}

export function wireAgent(
  config: AgentConfig,
  logger: Logger,
  options: WiringOptions = {},
): AgentServices {
  const edge = createAgentEdgeClient(config, logger);
  const state = new RunStateStore(runStatePath(config));
  const runner = new Runner({
    edge,
    openSource: options.openSource ?? createSourceOpener(config, edge),
    logger,
    state,
    batch: config.batch,
    progressIntervalMs: config.intervals.progressMs,
    // Every secret of the configuration (agent key, SQL Server password, Wispro token), not just one.
    redact: (text) => redact(text, config.secrets),
    keepAwake: options.keepAwake ?? systemKeepAwake(),
    onUpdate: options.onUpdate,
  });
  return { edge, state, runner };
}
