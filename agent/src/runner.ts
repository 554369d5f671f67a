// The runner owns a run's lifecycle, and is the only module that knows it whole: open (or reopen) the
// run, count, stream the source into batches through the sink, report progress at most once a second,
// pause / resume / cancel at batch boundaries, and finish with counts or a clear error.
import {
  type ClaimedCommand,
  FerrawinParams,
  parseClaimedParams,
  type RunCounts,
  type RunCursor,
  type RunError,
  type RunSummary,
  type Source,
  WisproParams,
} from "@puente/protocol";
import { type BatchDraft, customerPageBatches, planillaBatches } from "./batching.ts";
import { BatchPipeline, MAX_IN_FLIGHT_LIMIT } from "./sink/batch-pipeline.ts";
import type { EdgeClient } from "./sink/edge-client.ts";
import type { ItemLabel, SyncSource } from "./sources/source.ts";
import { type Logger, RunEventBuffer } from "./status/log.ts";
import type { RunRecord, RunStateStore } from "./run-state.ts";
import { addRunCounts } from "./run-counts.ts";
import { AgentKeyInvalid } from "./errors/agent-key-invalid.ts";
import { RunConflict } from "./errors/run-conflict.ts";
import { collectGarbageWhileRunning } from "./memory.ts";

/** A draft handed to the pipeline: its body is let go as soon as the batch is encoded and sent. */
type SentDraft = Omit<BatchDraft, "body"> & { body: BatchDraft["body"] | null };

export type StartRequest =
  & { commandId?: string | null; scheduled?: boolean }
  & (
    | { source: "ferrawin"; params: FerrawinParams }
    | { source: "wispro"; params: WisproParams }
  );

/** What waits in the runner's queue: a new run, or continuing a paused or interrupted one. */
export type QueuedJob =
  | StartRequest
  | { resume: { runId?: string; source?: Source; commandId?: string | null } };

export type RunPhase = "running" | "paused" | "completed" | "failed" | "cancelled";

/** Where a run stands, as the CLI's progress bar and `status` show it. */
export interface RunSnapshot {
  runId: string;
  source: Source;
  mode: string;
  status: RunPhase;
  total: number | null;
  done: number;
  counts: RunCounts;
  ratePerS: number | null;
  lastItem: ItemLabel | null;
  cursor: RunCursor | null;
  /** Epoch ms when this process started (or resumed) the run. */
  startedAt: number;
  error: RunError | null;
}

/** How a run call ended: finished (completed / failed / cancelled) or paused. */
export type RunOutcome = RunSnapshot & { elapsedMs: number };

export interface RunnerOptions {
  edge: Pick<EdgeClient, "openRun" | "reportProgress" | "sendBatch" | "finishRun">;
  /** Opens the source for a run; throws `SourceUnavailable` when it is not configured or reachable. */
  openSource: (source: Source) => SyncSource | Promise<SyncSource>;
  logger: Logger;
  state: RunStateStore;
  batch: { planillas: number; elementos: number; maxInFlight: number };
  /** Minimum time between progress reports. Default 1000 ms. */
  progressIntervalMs?: number;
  /** Masks secrets in the error a failed run reports. */
  redact?: (text: string) => string;
  /** Called on every change (ack, pause, finish): the CLI draws its progress bar from it. */
  onUpdate?: (snapshot: RunSnapshot) => void;
  /** Keeps the PC awake while a run is active (keep-awake.ts); returns the release. */
  keepAwake?: () => () => void;
  now?: () => number;
}

type Control = "pause" | "cancel";

interface ActiveRun {
  snapshot: RunSnapshot;
  controller: AbortController;
  control: Control | null;
  doneAtStart: number;
  /**
   * Items in the batches up to the cursor (every one acknowledged, with all before it). Progress
   * reports this with the cursor, since a resume continues after the cursor from this count: an
   * answer that came back out of order is counted once its predecessors are in, never twice.
   */
  doneAtCursor: number;
  fatal: Error | null;
}

export class Runner {
  readonly #options: RunnerOptions;
  #active: ActiveRun | null = null;
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
    return await this.#execute(run, request.source, request.params, {
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
    const params = parseRunParams(record.source, run.params, record.params);
    const cursor = run.cursor?.source === record.source ? run.cursor : null;
    this.#options.logger.info(
      `run ${run.id}: resumed after ${
        cursor ? describeCursor(cursor) : "the beginning"
      } (${run.done} done)`,
    );
    return await this.#execute(run, record.source, params, {
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
        commandId: command.id,
        scheduled: command.scheduled,
        ...(parsed.kind === "ferrawin"
          ? { source: "ferrawin", params: parsed.params }
          : { source: "wispro", params: parsed.params }),
      } as StartRequest);
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
      throw new RunConflict(`run ${this.#active.snapshot.runId} is active in this agent`);
    }
  }

  #control(control: Control, runId?: string): boolean {
    const active = this.#active;
    if (!active || (runId && active.snapshot.runId !== runId)) return false;
    if (active.control !== "cancel") active.control = control;
    this.#options.logger.info(`run ${active.snapshot.runId}: ${control} requested`);
    active.controller.abort(new Error(`${control} requested`));
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
      ...(record.params ? { params: record.params as FerrawinParams | WisproParams } : {}),
      resumeRunId: record.runId,
    });
  }

  async #execute(
    run: RunSummary,
    source: Source,
    params: FerrawinParams | WisproParams,
    from: {
      cursor: RunCursor | null;
      firstSeq: number;
      done: number;
      counts: RunCounts;
      total: number | null;
    },
  ): Promise<RunOutcome> {
    const { edge, logger, state, batch } = this.#options;
    const now = this.#options.now ?? Date.now;
    const active: ActiveRun = {
      snapshot: {
        runId: run.id,
        source,
        mode: params.mode,
        status: "running",
        total: from.total,
        done: from.done,
        counts: from.counts,
        ratePerS: null,
        lastItem: null,
        cursor: from.cursor,
        startedAt: now(),
        error: null,
      },
      controller: new AbortController(),
      control: null,
      doneAtStart: from.done,
      doneAtCursor: from.done,
      fatal: null,
    };
    this.#active = active;
    if (this.#isClosed) active.control = "pause";
    const events = new RunEventBuffer(logger);
    const progress = new ProgressReporter(this.#options, active, events);
    const stopCollecting = collectGarbageWhileRunning();
    const letSleep = this.#options.keepAwake?.() ?? (() => {});
    state.save({ runId: run.id, source, params, status: "running", lastSeq: from.firstSeq - 1 });

    let sourceHandle: SyncSource | null = null;
    let pipeline: BatchPipeline<SentDraft> | null = null;
    try {
      sourceHandle = await this.#options.openSource(source);
      if (active.snapshot.total === null) {
        const counting = sourceHandle;
        active.snapshot.total = await withSourceResumes(
          () => countItems(counting, params),
          (error, attempt) =>
            logger.warn(
              `run ${run.id}: ${error.message}; counting again (${attempt} of ${SOURCE_RESUMES})`,
            ),
        );
        logger.info(`run ${run.id}: ${active.snapshot.total ?? "unknown"} to process`);
      }
      progress.report(true);

      let highestAckedSeq = -1;
      const sending = new BatchPipeline<SentDraft>({
        maxInFlight: batch.maxInFlight,
        firstSeq: from.firstSeq,
        send: (seq, draft) => {
          const sent = edge.sendBatch(run.id, { v: 1, seq, ...draft.body! });
          // Encoded by now: the batch's objects are not kept while its request is on the wire.
          draft.body = null;
          return sent;
        },
        onAck: (seq, draft, result) => {
          if (result.replayed) {
            logger.info(`run ${run.id}: batch ${seq} was already stored; its first answer counts`);
          }
          const snapshot = active.snapshot;
          snapshot.done += draft.units;
          snapshot.counts = addRunCounts(snapshot.counts, result.counts);
          // Answers arrive out of order; the label shown only moves forward.
          if (seq > highestAckedSeq) {
            highestAckedSeq = seq;
            snapshot.lastItem = draft.label;
          }
          if (draft.totalRecords !== undefined) snapshot.total = draft.totalRecords;
          progress.report(false);
        },
        onAdvance: (draft) => {
          active.doneAtCursor += draft.units;
          active.snapshot.cursor = draft.cursor;
        },
      });
      pipeline = sending;
      const signal = active.controller.signal;
      let cursor = from.cursor;
      for (let attempt = 1;; attempt++) {
        const drafts = extractDrafts(sourceHandle, params, cursor, signal, logger, batch);
        try {
          for await (const draft of drafts) {
            if (active.control || active.fatal) break;
            state.save({
              runId: run.id,
              source,
              params,
              status: "running",
              lastSeq: sending.nextSeq,
            });
            await sending.push(draft);
            if (active.control || active.fatal) break;
          }
          break;
        } catch (error) {
          // An abort we asked for (pause, cancel) ends the stream.
          if (active.control && sending.failure !== error) break;
          // A source connection lost mid-stream: continue after the last batch sent, a few times;
          // anything else fails the run.
          if (!isResumable(error) || sending.failure || attempt > SOURCE_RESUMES) throw error;
          await sending.drain();
          cursor = sending.ackedCursor ?? cursor;
          logger.warn(
            `run ${run.id}: ${(error as Error).message}; continuing after ${
              cursor ? describeCursor(cursor) : "the beginning"
            } (${attempt} of ${SOURCE_RESUMES})`,
          );
          await pauseBeforeResume(attempt);
        }
      }
      await sending.drain();
      if (active.fatal) throw active.fatal;

      if (active.control === "pause") {
        active.snapshot.status = "paused";
        await progress.report(true, "paused");
        state.save({
          runId: run.id,
          source,
          params,
          status: "paused",
          lastSeq: sending.nextSeq - 1,
        });
        logger.info(`run ${run.id}: paused after ${active.snapshot.done} items`);
        return this.#outcome(active);
      }
      active.snapshot.status = active.control === "cancel" ? "cancelled" : "completed";
      if (active.snapshot.status === "completed" && active.snapshot.total !== null) {
        active.snapshot.total = Math.max(active.snapshot.total, active.snapshot.done);
      }
      logger.info(`run ${run.id}: ${active.snapshot.status} (${active.snapshot.done} items)`);
      await progress.flush();
      await this.#finish(run.id, active, events);
      return this.#outcome(active);
    } catch (error) {
      active.controller.abort(error);
      await pipeline?.drain().catch(() => undefined);
      const failure = active.fatal ?? (error instanceof Error ? error : new Error(String(error)));
      active.snapshot.status = "failed";
      active.snapshot.error = this.#describeFailure(failure);
      logger.error(`run ${run.id}: failed: ${active.snapshot.error.message}`);
      await progress.flush();
      if (!(failure instanceof AgentKeyInvalid)) {
        await this.#finish(run.id, active, events).catch((finishError: Error) =>
          logger.error(`run ${run.id}: could not report the failure: ${finishError.message}`)
        );
      }
      return this.#outcome(active);
    } finally {
      letSleep();
      stopCollecting();
      progress.stop();
      events.close();
      await sourceHandle?.close().catch((error: Error) =>
        logger.warn(`closing the ${source} source: ${error.message}`)
      );
      this.#active = null;
      this.#options.onUpdate?.({ ...active.snapshot });
    }
  }

  async #finish(runId: string, active: ActiveRun, events: RunEventBuffer) {
    const snapshot = active.snapshot;
    await this.#options.edge.finishRun(runId, {
      status: snapshot.status as "completed" | "failed" | "cancelled",
      total: snapshot.total,
      done: snapshot.done,
      counts: snapshot.counts,
      error: snapshot.error,
      events: events.take(),
    });
    this.#options.state.remove(runId);
  }

  #describeFailure(error: Error): RunError {
    const redact = this.#options.redact ?? ((text: string) => text);
    const code = typeof (error as { code?: unknown }).code === "string"
      ? (error as unknown as { code: string }).code
      : "agent_error";
    return { code: code.slice(0, 64), message: redact(error.message).slice(0, 2000) };
  }

  #outcome(active: ActiveRun): RunOutcome {
    return {
      ...active.snapshot,
      elapsedMs: (this.#options.now ?? Date.now)() - active.snapshot.startedAt,
    };
  }
}

/**
 * Reports progress at most once per interval, one request at a time. A report waiting for its turn
 * reads the numbers when it is sent, so it always carries the latest state.
 */
class ProgressReporter {
  #lastSentAt = 0;
  #chain: Promise<void> = Promise.resolve();
  #isQueued = false;
  #isStopped = false;
  #isSuperseded = false;
  /** Ends the wait of a queued report early (the run is finishing). */
  #wake: (() => void) | null = null;
  readonly #options: RunnerOptions;
  readonly #active: ActiveRun;
  readonly #events: RunEventBuffer;

  constructor(options: RunnerOptions, active: ActiveRun, events: RunEventBuffer) {
    this.#options = options;
    this.#active = active;
    this.#events = events;
  }

  /** Queues a report; `force` sends it as soon as the previous one is done (start, pause). */
  report(force: boolean, status: "running" | "paused" = "running"): Promise<void> {
    const now = this.#options.now ?? Date.now;
    const interval = this.#options.progressIntervalMs ?? 1000;
    const snapshot = this.#active.snapshot;
    const elapsedS = (now() - snapshot.startedAt) / 1000;
    snapshot.ratePerS = elapsedS > 0
      ? Math.round(((snapshot.done - this.#active.doneAtStart) / elapsedS) * 100) / 100
      : null;
    this.#options.onUpdate?.({ ...snapshot });
    if (this.#isStopped || (this.#isQueued && !force)) return this.#chain;
    if (force && this.#isQueued) {
      // The forced report carries the newest state: the waiting one is superseded.
      this.#isSuperseded = true;
      this.#wake?.();
    }
    if (!force) this.#isQueued = true;
    this.#chain = this.#chain.then(async () => {
      const wait = force ? 0 : this.#lastSentAt + interval - now();
      if (wait > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = null;
      }
      if (!force) this.#isQueued = false;
      if (!force && (this.#isStopped || this.#isSuperseded)) {
        this.#isSuperseded = false;
        return;
      }
      this.#lastSentAt = now();
      await this.#send(status);
    });
    return this.#chain;
  }

  async #send(status: "running" | "paused") {
    const snapshot = this.#active.snapshot;
    const events = this.#events.take();
    try {
      await this.#options.edge.reportProgress(snapshot.runId, {
        status,
        total: snapshot.total,
        done: this.#active.doneAtCursor,
        counts: snapshot.counts,
        cursor: snapshot.cursor,
        ratePerS: snapshot.ratePerS,
        lastItem: snapshot.lastItem,
        events,
      });
    } catch (error) {
      this.#events.putBack(events);
      if (error instanceof AgentKeyInvalid) {
        this.#active.fatal ??= error;
        this.#active.controller.abort(error);
      } else {
        this.#options.logger.warn(`progress report failed: ${(error as Error).message}`);
      }
    }
  }

  /** Drops a waiting regular report (finish carries the final state) and waits for one on the wire. */
  flush(): Promise<void> {
    this.stop();
    return this.#chain;
  }

  stop() {
    this.#isStopped = true;
    this.#wake?.();
  }
}

/** Times a run continues by itself after its source connection dropped mid-stream. */
const SOURCE_RESUMES = 3;

/** A source failure the run can continue after (FerrawinConnectionLost says so). */
const isResumable = (error: unknown): boolean =>
  (error as { isResumable?: unknown } | null)?.isResumable === true;

const pauseBeforeResume = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, 1000 * attempt));

/** Runs a source call again after a resumable failure, up to SOURCE_RESUMES times. */
async function withSourceResumes<T>(
  call: () => Promise<T>,
  onRetry: (error: Error, attempt: number) => void,
): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isResumable(error) || attempt > SOURCE_RESUMES) throw error;
      onRetry(error as Error, attempt);
      await pauseBeforeResume(attempt);
    }
  }
}

function extractDrafts(
  source: SyncSource,
  params: FerrawinParams | WisproParams,
  cursor: RunCursor | null,
  signal: AbortSignal,
  logger: Logger,
  limits: { planillas: number; elementos: number },
): AsyncIterable<BatchDraft> {
  const log = (level: "debug" | "info" | "warn" | "error", message: string) =>
    logger.write(level, `${source.name}: ${message}`);
  if (source.name === "ferrawin") {
    const items = source.extract(params as FerrawinParams, {
      cursor: cursor?.source === "ferrawin" ? cursor : null,
      signal,
      log,
    });
    return planillaBatches(items, limits);
  }
  const pages = source.extract(params as WisproParams, {
    cursor: cursor?.source === "wispro" ? cursor : null,
    signal,
    log,
  });
  return customerPageBatches(pages);
}

function countItems(source: SyncSource, params: FerrawinParams | WisproParams) {
  return source.name === "ferrawin"
    ? source.count(params as FerrawinParams)
    : source.count(params as WisproParams);
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

function parseRunParams(
  source: Source,
  stored: Record<string, unknown>,
  fallback: Record<string, unknown> | null,
): FerrawinParams | WisproParams {
  const schema = source === "ferrawin" ? FerrawinParams : WisproParams;
  const fromServer = schema.safeParse(stored);
  return fromServer.success ? fromServer.data : schema.parse(fallback ?? stored);
}

export function describeParams(params: FerrawinParams | WisproParams): string {
  switch (params.mode) {
    case "year":
      return `year ${params.year}${params.fromCode ? ` from ${params.fromCode}` : ""}`;
    case "one":
      return `planilla ${params.code}`;
    default:
      return params.mode;
  }
}

function describeCursor(cursor: RunCursor): string {
  return cursor.source === "ferrawin" ? `planilla ${cursor.lastCode}` : `page ${cursor.lastPage}`;
}
