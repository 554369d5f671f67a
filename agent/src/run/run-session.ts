// One run, from the moment the server opened (or reopened) it to its end: open the source, count,
// stream the batches through the sink, settle (paused, completed, cancelled or failed). Each step is a
// private method below, in that order. Pause and cancel act at batch boundaries (`control`); a source
// connection lost mid-stream is continued after the last acknowledged batch a few times.
import type { RunCounts, RunCursor, RunError, RunSummary, Source } from "@puente/protocol";
import { BatchPipeline } from "../sink/batch-pipeline.ts";
import type { EdgeClient } from "../sink/edge-client.ts";
import type { BatchDraft, ItemLabel, RunSource } from "../sources/source.ts";
import { describeCursor, type RunTarget, type SourceOpener } from "../sources/registry.ts";
import { type Logger, RunEventBuffer } from "../status/log.ts";
import type { RunStateStore, TrackedRun } from "../run-state.ts";
import { addRunCounts } from "../run-counts.ts";
import { AgentKeyInvalid } from "../errors/agent-key-invalid.ts";
import { collectGarbageWhileRunning } from "../memory.ts";
import { ProgressReporter } from "./progress-reporter.ts";

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

/** What a session needs from the agent; the runner passes its own options. */
export interface SessionOptions {
  edge: Pick<EdgeClient, "reportProgress" | "sendBatch" | "finishRun">;
  openSource: SourceOpener;
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

/** Where a session starts: a new run from nothing, a reopened one from what it had. */
export interface SessionStart {
  cursor: RunCursor | null;
  firstSeq: number;
  done: number;
  counts: RunCounts;
  total: number | null;
}

export type Control = "pause" | "cancel";

/** A draft handed to the pipeline: its body is let go as soon as the batch is encoded and sent. */
type SentDraft = Omit<BatchDraft, "body"> & { body: BatchDraft["body"] | null };

/** Times a run continues by itself after its source connection dropped mid-stream. */
const SOURCE_RESUMES = 3;

export class RunSession {
  readonly snapshot: RunSnapshot;
  readonly #options: SessionOptions;
  readonly #run: RunSummary;
  readonly #target: RunTarget;
  readonly #from: SessionStart;
  readonly #now: () => number;
  readonly #controller = new AbortController();
  readonly #events: RunEventBuffer;
  readonly #progress: ProgressReporter;
  readonly #tracked: TrackedRun;
  #control: Control | null = null;
  #fatal: Error | null = null;
  /** Items done when this process took the run. */
  readonly doneAtStart: number;
  /**
   * Items in the batches up to the cursor (every one acknowledged, with all before it). Progress
   * reports this with the cursor, since a resume continues after the cursor from this count: an
   * answer that came back out of order is counted once its predecessors are in, never twice.
   */
  doneAtCursor: number;
  #source: RunSource | null = null;
  #pipeline: BatchPipeline<SentDraft> | null = null;

  constructor(options: SessionOptions, run: RunSummary, target: RunTarget, from: SessionStart) {
    this.#options = options;
    this.#run = run;
    this.#target = target;
    this.#from = from;
    this.#now = options.now ?? Date.now;
    this.snapshot = {
      runId: run.id,
      source: target.source,
      mode: target.params.mode,
      status: "running",
      total: from.total,
      done: from.done,
      counts: from.counts,
      ratePerS: null,
      lastItem: null,
      cursor: from.cursor,
      startedAt: this.#now(),
      error: null,
    };
    this.doneAtStart = from.done;
    this.doneAtCursor = from.done;
    this.#events = new RunEventBuffer(options.logger);
    this.#progress = new ProgressReporter({
      send: (progress) => options.edge.reportProgress(run.id, progress),
      run: this,
      events: this.#events,
      logger: options.logger,
      intervalMs: options.progressIntervalMs ?? 1000,
      now: this.#now,
      onUpdate: options.onUpdate,
      onFatal: (error) => this.#failWith(error),
    });
    this.#tracked = options.state.track({
      runId: run.id,
      source: target.source,
      params: target.params,
    });
  }

  /** Asks the run to pause or cancel at the next batch boundary; a cancel is never turned into a pause. */
  control(control: Control) {
    if (this.#control !== "cancel") this.#control = control;
    this.#options.logger.info(`run ${this.snapshot.runId}: ${control} requested`);
    this.#controller.abort(new Error(`${control} requested`));
  }

  /** Carries the run to its end, or until paused. Never throws: a failure ends the run as failed. */
  async run(): Promise<RunOutcome> {
    const stopCollecting = collectGarbageWhileRunning();
    const letSleep = this.#options.keepAwake?.() ?? (() => {});
    try {
      await this.#open();
      await this.#count();
      await this.#stream();
      return await this.#settle();
    } catch (error) {
      return await this.#fail(error);
    } finally {
      letSleep();
      stopCollecting();
      await this.#release();
    }
  }

  /** Records the run as running here and opens its source. */
  async #open() {
    this.#tracked.running(this.#from.firstSeq - 1);
    this.#source = await this.#options.openSource(this.#target);
  }

  /** A new run learns its total first (a reopened one already knows it), then reports it at once. */
  async #count() {
    const { logger } = this.#options;
    const source = this.#source!;
    if (this.snapshot.total === null) {
      this.snapshot.total = await withSourceResumes(
        () => source.count(),
        (error, attempt) =>
          logger.warn(
            `run ${this.#run.id}: ${error.message}; counting again (${attempt} of ${SOURCE_RESUMES})`,
          ),
      );
      logger.info(`run ${this.#run.id}: ${this.snapshot.total ?? "unknown"} to process`);
    }
    this.#progress.report(true);
  }

  /** Streams the source's batches through the pipeline until the end, a pause, a cancel or a failure. */
  async #stream() {
    const { logger, batch } = this.#options;
    const runId = this.#run.id;
    const sending = this.#openPipeline();
    let cursor = this.#from.cursor;
    for (let attempt = 1;; attempt++) {
      const drafts = this.#source!.batches(cursor, {
        signal: this.#controller.signal,
        log: (level, message) => logger.write(level, `${this.#target.source}: ${message}`),
        limits: batch,
      });
      try {
        for await (const draft of drafts) {
          if (this.#isStopping) break;
          this.#tracked.running(sending.nextSeq);
          await sending.push(draft);
          if (this.#isStopping) break;
        }
        break;
      } catch (error) {
        // An abort we asked for (pause, cancel) ends the stream.
        if (this.#control && sending.failure !== error) break;
        // A source connection lost mid-stream: continue after the last batch sent, a few times;
        // anything else fails the run.
        if (!isResumable(error) || sending.failure || attempt > SOURCE_RESUMES) throw error;
        await sending.drain();
        cursor = sending.ackedCursor ?? cursor;
        logger.warn(
          `run ${runId}: ${(error as Error).message}; continuing after ${
            cursor ? describeCursor(cursor) : "the beginning"
          } (${attempt} of ${SOURCE_RESUMES})`,
        );
        await pauseBeforeResume(attempt);
      }
    }
    await sending.drain();
    if (this.#fatal) throw this.#fatal;
  }

  /** Paused: saved to continue later. Otherwise completed or cancelled, and finished on the server. */
  async #settle(): Promise<RunOutcome> {
    const { logger } = this.#options;
    const snapshot = this.snapshot;
    if (this.#control === "pause") {
      snapshot.status = "paused";
      await this.#progress.report(true, "paused");
      this.#tracked.paused(this.#pipeline!.nextSeq - 1);
      logger.info(`run ${this.#run.id}: paused after ${snapshot.done} items`);
      return this.#outcome();
    }
    snapshot.status = this.#control === "cancel" ? "cancelled" : "completed";
    if (snapshot.status === "completed" && snapshot.total !== null) {
      snapshot.total = Math.max(snapshot.total, snapshot.done);
    }
    logger.info(`run ${this.#run.id}: ${snapshot.status} (${snapshot.done} items)`);
    await this.#progress.flush();
    await this.#finish();
    return this.#outcome();
  }

  /** Ends the run as failed with a redacted error; a refused key cannot even report that. */
  async #fail(error: unknown): Promise<RunOutcome> {
    const { logger } = this.#options;
    this.#controller.abort(error);
    await this.#pipeline?.drain().catch(() => undefined);
    const failure = this.#fatal ?? (error instanceof Error ? error : new Error(String(error)));
    this.snapshot.status = "failed";
    this.snapshot.error = this.#describeFailure(failure);
    logger.error(`run ${this.#run.id}: failed: ${this.snapshot.error.message}`);
    await this.#progress.flush();
    if (!(failure instanceof AgentKeyInvalid)) {
      await this.#finish().catch((finishError: Error) =>
        logger.error(`run ${this.#run.id}: could not report the failure: ${finishError.message}`)
      );
    }
    return this.#outcome();
  }

  async #release() {
    this.#progress.stop();
    this.#events.close();
    await this.#source?.close().catch((error: Error) =>
      this.#options.logger.warn(`closing the ${this.#target.source} source: ${error.message}`)
    );
  }

  #openPipeline(): BatchPipeline<SentDraft> {
    const { edge, logger, batch } = this.#options;
    const runId = this.#run.id;
    const snapshot = this.snapshot;
    let highestAckedSeq = -1;
    this.#pipeline = new BatchPipeline<SentDraft>({
      maxInFlight: batch.maxInFlight,
      firstSeq: this.#from.firstSeq,
      send: (seq, draft) => {
        const sent = edge.sendBatch(runId, { v: 1, seq, ...draft.body! });
        // Encoded by now: the batch's objects are not kept while its request is on the wire.
        draft.body = null;
        return sent;
      },
      onAck: (seq, draft, result) => {
        if (result.replayed) {
          logger.info(`run ${runId}: batch ${seq} was already stored; its first answer counts`);
        }
        snapshot.done += draft.units;
        snapshot.counts = addRunCounts(snapshot.counts, result.counts);
        // Answers arrive out of order; the label shown only moves forward.
        if (seq > highestAckedSeq) {
          highestAckedSeq = seq;
          snapshot.lastItem = draft.label;
        }
        if (draft.totalRecords !== undefined) snapshot.total = draft.totalRecords;
        this.#progress.report(false);
      },
      onAdvance: (draft) => {
        this.doneAtCursor += draft.units;
        snapshot.cursor = draft.cursor;
      },
    });
    return this.#pipeline;
  }

  get #isStopping(): boolean {
    return this.#control !== null || this.#fatal !== null;
  }

  #failWith(error: Error) {
    this.#fatal ??= error;
    this.#controller.abort(error);
  }

  async #finish() {
    const snapshot = this.snapshot;
    await this.#options.edge.finishRun(this.#run.id, {
      status: snapshot.status as "completed" | "failed" | "cancelled",
      total: snapshot.total,
      done: snapshot.done,
      counts: snapshot.counts,
      error: snapshot.error,
      events: this.#events.take(),
    });
    this.#tracked.forget();
  }

  #describeFailure(error: Error): RunError {
    const redact = this.#options.redact ?? ((text: string) => text);
    const code = typeof (error as { code?: unknown }).code === "string"
      ? (error as unknown as { code: string }).code
      : "agent_error";
    return { code: code.slice(0, 64), message: redact(error.message).slice(0, 2000) };
  }

  #outcome(): RunOutcome {
    return { ...this.snapshot, elapsedMs: this.#now() - this.snapshot.startedAt };
  }
}

/** A failure the run can continue after (AgentError.isResumable, e.g. FerrawinConnectionLost). */
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
