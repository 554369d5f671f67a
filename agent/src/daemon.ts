// `puente-agent run`: the long-lived agent. Reads top-down: take the lock, wire the runner, resume a
// run a crash left behind, start the heartbeat and the listener, then wait for a signal (or a stop
// request, Windows' graceful stop) and stop in order (pause the active run so it can continue later). Schedules live in the database only: a due
// one comes back from a claim as a scheduled start, so the listener's periodic claim is what runs it.
import { hostname } from "node:os";
import type { AgentConfig } from "./config.ts";
import { acquireLock } from "./lock.ts";
import { lockPath } from "./paths.ts";
import { routePusherThroughProxy } from "./proxy.ts";
import { clearStopRequest, stopRequestPath, watchStopRequest } from "./stop-request.ts";
import { wireAgent } from "./wiring.ts";
import { startHeartbeat } from "./status/heartbeat.ts";
import { startListener } from "./listener.ts";
import type { Logger } from "./status/log.ts";
import { AGENT_VERSION } from "./version.ts";
import { AgentKeyInvalid } from "./errors/agent-key-invalid.ts";
import { AgentOutdated } from "./errors/agent-outdated.ts";
import { clearUpdateNeeded, recordUpdateNeeded } from "./status/update-needed.ts";
import { EXIT_FAILURE, EXIT_KEY_INVALID, EXIT_OK } from "./exit-codes.ts";

/** Runs until `stop` aborts (SIGINT / SIGTERM) or the key is refused; resolves with the exit code. */
export async function runDaemon(
  config: AgentConfig,
  logger: Logger,
  stop: AbortSignal,
): Promise<number> {
  const lock = acquireLock(lockPath(config));
  const unrouteProxy = routePusherThroughProxy(config.proxy, config.noProxy);
  const fatal = new AbortController();
  const stopFile = stopRequestPath(config.stateDir);
  clearStopRequest(stopFile);
  const requested = new AbortController();
  const stopWatching = watchStopRequest(stopFile, () => requested.abort("stop-request"));
  try {
    const { edge, state, runner } = wireAgent(config, logger);
    logger.info(`puente-agent ${AGENT_VERSION} starting (pid ${process.pid}, ${hostname()})`);

    for (const interrupted of state.interrupted()) {
      logger.info(`resuming run ${interrupted.runId} left running by the last stop`);
      runner.enqueue({ resume: { runId: interrupted.runId } });
    }

    clearUpdateNeeded(config.stateDir);
    const onFatal = (error: Error) => {
      if (error instanceof AgentOutdated) recordUpdateNeeded(config.stateDir, error);
      if (error instanceof AgentKeyInvalid || error instanceof AgentOutdated) {
        if (!fatal.signal.aborted) logger.error(error.message);
        fatal.abort(error);
      }
    };
    const stopHeartbeat = startHeartbeat({
      send: (heartbeat) => edge.heartbeat(heartbeat),
      info: () => ({
        version: AGENT_VERSION,
        hostname: hostname(),
        activeRunId: runner.activeRunId,
      }),
      intervalMs: config.intervals.heartbeatMs,
      onError: (error) => {
        onFatal(error);
        logger.warn(`heartbeat failed: ${error.message}`);
      },
    });
    const listener = startListener({
      pusher: config.pusher,
      agentId: config.api.agentId,
      authorize: (socketId, channel) => edge.authorizeChannel(socketId, channel),
      claim: () => edge.claimCommands(),
      dispatch: (command) => runner.handle(command),
      reject: (command, reason) => edge.rejectCommand(command.id, reason),
      claimIntervalMs: config.intervals.claimMs,
      logger,
      onFatal,
    });
    await new Promise<void>((resolve) => {
      const signals = [stop, fatal.signal, requested.signal];
      if (signals.some((s) => s.aborted)) return resolve();
      for (const s of signals) s.addEventListener("abort", () => resolve(), { once: true });
    });
    if (requested.signal.aborted) logger.info("stop requested (`puente-agent service stop`)");

    logger.info("stopping: no new commands; pausing the active run, if any");
    listener.stop();
    stopHeartbeat();
    const pausedRunId = await runner.shutdown();
    const paused = pausedRunId ? state.get(pausedRunId) : null;
    if (paused?.status === "paused") {
      // Paused by the shutdown, not by a person: the next start continues it.
      state.save({ ...paused, status: "running" });
    }
    logger.info("stopped");
    if (fatal.signal.reason instanceof AgentOutdated) return EXIT_FAILURE;
    return fatal.signal.aborted ? EXIT_KEY_INVALID : EXIT_OK;
  } finally {
    stopWatching();
    unrouteProxy();
    lock.release();
  }
}
