// The runner keeps the agent's queue of runs and their controls: a start or resume waits its turn
// behind the active run, pause and cancel reach the active run (or a paused one) at once. Each run is
// carried out by a RunSession (run-session.ts); the runner opens or reopens it on the server first.
import {
  type ClaimedCommand,
  parseClaimedParams,
  type RunSummary,
  type Source,
} from "@puente/protocol";
import { MAX_IN_FLIGHT_LIMIT } from "../sink/batch-pipeline.ts";
import type { EdgeClient } from "../sink/edge-client.ts";
import { describeCursor, type RunTarget, targetOfRun, targetOfStart } from "../sources/registry.ts";
import type { RunRecord } from "../run-state.ts";
import { RunConflict } from "../errors/run-conflict.ts";
import {
  type Control,
  type RunOutcome,
  RunSession,
  type RunSnapshot,
  type SessionOptions,
  type SessionStart,
} from "./run-session.ts";

export type { RunOutcome, RunPhase, RunSnapshot } from "./run-session.ts";

export type StartRequest = RunTarget & { commandId?: string | null; scheduled?: boolean };

/** What waits in the runner's queue: a new run, or continuing a paused or interrupted one. */
export type QueuedJob =
  | StartRequest
  | { resume: { runId?: string; source?: Source; commandId?: string | null } };

export interface RunnerOptions extends SessionOptions {
  edge: Pick<EdgeClient, "openRun" | "reportProgress" | "sendBatch" | "finishRun">;
}

export class Runner {
  readonly #options: RunnerOptions;
  #active: RunSession | null = null;
  readonly #queue: QueuedJob[] = [];
  /** A queued command is being carried out (set before its run is open, so none starts twice). */
  #isBusy = false;
  #isClosed = false;
  #idle: Promise<void> = Promise.resolve();

  constructor(options: RunnerOptions) {
    this.#options = options;
  }

  get activeRunId(): string | null {
    return this.#active?.snapshot.runId ?? null;
  }

  get snapshot(): RunSnapshot | null {
    return this.#active ? { ...this.#active.snapshot } : null;
  }

  /** Resolves when no run is active and no queued command is left. */
  idle(): Promise<void> {
    return this.#idle;
  }

  /** Opens a new run and streams it to the end (or until paused, cancelled or failed). */
  async start(request: StartRequest): Promise<RunOutcome> {
    this.#assertIdle();
    const { edge, logger } = this.#options;
    const run = await edge.openRun({
      commandId: request.commandId ?? null,
      source: request.source,
      params: request.params,
      scheduled: request.scheduled ?? false,
    });
    logger.info(`run ${run.id}: ${request.source} ${describeParams(request.params)} opened`);
    return await this.#carryOut(run, request, {
      cursor: null,
      firstSeq: 0,
      done: 0,
      counts: {},
      total: null,
    });
  }

  /**
   * Reopens a paused or interrupted run of this agent and continues after its saved cursor.
   * Without `runId`, the last paused run of `source`. A run this agent has no local record of (its
   * state file was lost) is reopened from what the server knows, given its `runId` and `source`.
   */
  async resume(
    target: { runId?: string; source?: Source; commandId?: string | null },
  ): Promise<RunOutcome> {
    this.#assertIdle();
    const record = this.#findRecord(target.runId, target.source);
    const run = await this.#reopen(record, target.commandId ?? null);
    const reopened = targetOfRun(record.source, run.params, record.params);
    const cursor = run.cursor?.source === record.source ? run.cursor : null;
    this.#options.logger.info(
      `run ${run.id}: resumed after ${
        cursor ? describeCursor(cursor) : "the beginning"
      } (${run.done} done)`,
    );
    return await this.#carryOut(run, reopened, {
      cursor,
      firstSeq: resumeSeq(record.lastSeq, run.lastSeq),
      done: run.done,
      counts: run.counts,
      total: run.total,
    });
  }

  /** Asks the active run to pause at the next batch boundary; false when no matching run is active. */
  pause(runId?: string): boolean {
    return this.#control("pause", runId);
  }

  /**
   * Cancels the active run at the next batch boundary, or a paused run of this agent that is not
   * active (reopened and finished as cancelled). False when there is nothing to cancel.
   */
  async cancel(target: { runId?: string; source?: Source } = {}): Promise<boolean> {
    if (this.#control("cancel", target.runId)) return true;
    if (this.#active) return false;
    let record;
    try {
      record = this.#findRecord(target.runId, target.source);
    } catch {
      return false;
    }
    const { edge, state, logger } = this.#options;
    const run = await this.#reopen(record, null);
    await edge.finishRun(run.id, {
      status: "cancelled",
      total: run.total,
      done: run.done,
      counts: run.counts,
    });
    state.remove(run.id);
    logger.info(`run ${run.id}: cancelled while paused`);
    return true;
  }

  /**
   * Carries out a claimed command. Pause and cancel act at once; a start or resume that arrives while
   * a run is active waits its turn. Never throws: failures are logged.
   */
  handle(command: ClaimedCommand): void {
    const { logger } = this.#options;
    let parsed;
    try {
      parsed = parseClaimedParams(command);
    } catch (error) {
      logger.error(`command ${command.id} has invalid params: ${(error as Error).message}`);
      return;
    }
    logger.info(`command ${command.id}: ${command.action} ${command.source}`);
    if (parsed.kind !== "control") {
      // The server delivers a start again when its run is not open a minute after the claim (the
      // claim's answer may have been lost); one still waiting here behind another run is that case.
      if (this.#queue.some((job) => !("resume" in job) && job.commandId === command.id)) {
        logger.debug(`command ${command.id}: already waiting its turn`);
        return;
      }
      this.enqueue({
        ...targetOfStart(parsed),
        commandId: command.id,
        scheduled: command.scheduled,
      });
      return;
    }
    const runId = parsed.params.runId;
    if (command.action === "resume") {
      this.enqueue({ resume: { runId, source: command.source, commandId: command.id } });
    } else if (command.action === "pause") {
      if (!this.pause(runId)) logger.warn(`command ${command.id}: no active run to pause`);
    } else {
      this.#queue.splice(0, this.#queue.length, ...this.#queue.filter((job) => "resume" in job));
      void this.cancel({ runId, source: command.source }).then(
        (isCancelled) => {
          if (!isCancelled) logger.warn(`command ${command.id}: no run to cancel`);
        },
        (error: Error) => logger.error(`command ${command.id}: cancel failed: ${error.message}`),
      );
    }
  }

  /** Queues a start or a resume; it begins when no run is active. Failures are logged. */
  enqueue(job: QueuedJob): void {
    this.#queue.push(job);
    this.#drainQueue();
  }

  /** Jobs waiting for the active run to end. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Stops taking jobs and pauses the active run at its next batch boundary (agent shutdown). Resolves
   * with the id of the run it paused, if any, once nothing is running.
   */
  async shutdown(): Promise<string | null> {
    this.#isClosed = true;
    if (this.#queue.length) {
      this.#options.logger.warn(`${this.#queue.length} queued job(s) dropped by the shutdown`);
      this.#queue.length = 0;
    }
    const runId = this.activeRunId;
    this.pause();
    await this.#idle;
    return runId;
  }

  #drainQueue() {
    if (this.#isClosed || this.#isBusy || this.#active || this.#queue.length === 0) return;
    const job = this.#queue.shift()!;
    this.#isBusy = true;
    const { logger } = this.#options;
    const running = "resume" in job ? this.resume(job.resume) : this.start(job);
    const finished = running.then(
      () => undefined,
      (error: Error) =>
        logger.error(`${"resume" in job ? "resume" : "start"} failed: ${error.message}`),
    );
    const current: Promise<void> = finished.then(() => {
      this.#isBusy = false;
      this.#drainQueue();
      return this.#idle === current ? undefined : this.#idle;
    });
    this.#idle = current;
  }

  #assertIdle() {
    if (this.#active) {
      throw new RunConflict(
        "run_active",
        `run ${this.#active.snapshot.runId} is active in this agent`,
      );
    }
  }

  #control(control: Control, runId?: string): boolean {
    const active = this.#active;
    if (!active || (runId && active.snapshot.runId !== runId)) return false;
    active.control(control);
    return true;
  }

  /** The local record of a run to reopen; for a known run without one, what the server will fill in. */
  #findRecord(runId: string | undefined, source: Source | undefined): Reopenable {
    const { state } = this.#options;
    const record = runId ? state.get(runId) : source ? state.lastPaused(source) : null;
    if (!record && runId && source) {
      this.#options.logger.warn(
        `run ${runId} has no local record (was the state file lost?): reopening it from the server`,
      );
      return { runId, source, params: null, lastSeq: null };
    }
    if (!record) {
      throw new Error(
        runId
          ? `run ${runId} is not a paused or interrupted run of this agent`
          : `there is no paused ${source ?? ""} run to continue`,
      );
    }
    return record;
  }

  #reopen(record: Reopenable, commandId: string | null): Promise<RunSummary> {
    return this.#options.edge.openRun({
      commandId,
      source: record.source,
      ...(record.params ? { params: record.params } : {}),
      resumeRunId: record.runId,
    });
  }

  /** Runs one session to its end (or pause); the run is the active one meanwhile. */
  async #carryOut(run: RunSummary, target: RunTarget, from: SessionStart): Promise<RunOutcome> {
    const session = new RunSession(this.#options, run, target, from);
    this.#active = session;
    if (this.#isClosed) session.control("pause");
    try {
      return await session.run();
    } finally {
      this.#active = null;
      this.#options.onUpdate?.({ ...session.snapshot });
    }
  }
}

/** A run to reopen: this agent's local record, or (params and lastSeq null) only its id and source. */
type Reopenable = Pick<RunRecord, "runId" | "source"> & {
  params: Record<string, unknown> | null;
  lastSeq: number | null;
};

/**
 * The first seq a reopened run may use. The server answers a replayed seq with its first result, so
 * the run continues after every seq this agent recorded and every seq the server stored. Without a
 * local record, batches of the lost process may still be landing above the server's highest: skip a
 * whole window of them too (seqs need not be contiguous).
 */
export function resumeSeq(
  localLastSeq: number | null,
  serverLastSeq: number | null | undefined,
): number {
  const server = serverLastSeq ?? -1;
  return localLastSeq === null
    ? server + 1 + MAX_IN_FLIGHT_LIMIT
    : Math.max(localLastSeq, server) + 1;
}

export function describeParams(params: RunTarget["params"]): string {
  switch (params.mode) {
    case "year":
      return `year ${params.year}${params.fromCode ? ` from ${params.fromCode}` : ""}`;
    case "one":
      return `planilla ${params.code}`;
    default:
      return params.mode;
  }
}
