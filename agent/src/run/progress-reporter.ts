// Reports a run's progress to the edge at most once per interval, one request at a time. A report
// waiting for its turn reads the numbers when it is sent, so it always carries the latest state; a
// forced one (start, pause) supersedes it. A refused agent key ends the run (`onFatal`); any other
// failed report is only logged, since the next one carries the same numbers.
import type { RunProgressInput } from "../sink/edge-client.ts";
import { AgentKeyInvalid } from "../errors/agent-key-invalid.ts";
import type { Logger, RunEventBuffer } from "../status/log.ts";
import type { RunSnapshot } from "./run-session.ts";

/** The numbers a report reads, kept up to date by the run session. */
export interface ProgressSource {
  snapshot: RunSnapshot;
  /** Items done when this process started (or resumed) the run: the rate counts from here. */
  doneAtStart: number;
  /** Items in the batches up to the cursor; what a report says is done (a resume continues there). */
  doneAtCursor: number;
}

export interface ProgressReporterOptions {
  send: (progress: RunProgressInput) => Promise<void>;
  run: ProgressSource;
  events: RunEventBuffer;
  logger: Pick<Logger, "warn">;
  /** Minimum time between regular reports. */
  intervalMs: number;
  now: () => number;
  /** Told on every report, with the rate updated (the CLI's progress bar). */
  onUpdate?: (snapshot: RunSnapshot) => void;
  /** A report failed in a way no later report can fix (the key was refused). */
  onFatal: (error: Error) => void;
}

export class ProgressReporter {
  #lastSentAt = 0;
  #chain: Promise<void> = Promise.resolve();
  #isQueued = false;
  #isStopped = false;
  #isSuperseded = false;
  /** Ends the wait of a queued report early (the run is finishing). */
  #wake: (() => void) | null = null;
  readonly #options: ProgressReporterOptions;

  constructor(options: ProgressReporterOptions) {
    this.#options = options;
  }

  /** Queues a report; `force` sends it as soon as the previous one is done (start, pause). */
  report(force: boolean, status: "running" | "paused" = "running"): Promise<void> {
    const { now, intervalMs, run } = this.#options;
    const snapshot = run.snapshot;
    const elapsedS = (now() - snapshot.startedAt) / 1000;
    snapshot.ratePerS = elapsedS > 0
      ? Math.round(((snapshot.done - run.doneAtStart) / elapsedS) * 100) / 100
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
      if (!force) {
        // Superseded or stopped before its wait began (nothing to wake yet): it does not wait at all.
        const wait = this.#lastSentAt + intervalMs - now();
        if (wait > 0 && !this.#isStopped && !this.#isSuperseded) await this.#sleep(wait);
        this.#isQueued = false;
        if (this.#isStopped || this.#isSuperseded) {
          this.#isSuperseded = false;
          return;
        }
      }
      this.#lastSentAt = now();
      await this.#send(status);
    });
    return this.#chain;
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

  async #sleep(ms: number) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = null;
  }

  async #send(status: "running" | "paused") {
    const { run, events } = this.#options;
    const snapshot = run.snapshot;
    const taken = events.take();
    try {
      await this.#options.send({
        status,
        total: snapshot.total,
        done: run.doneAtCursor,
        counts: snapshot.counts,
        cursor: snapshot.cursor,
        ratePerS: snapshot.ratePerS,
        lastItem: snapshot.lastItem,
        events: taken,
      });
    } catch (error) {
      events.putBack(taken);
      if (error instanceof AgentKeyInvalid) this.#options.onFatal(error);
      else this.#options.logger.warn(`progress report failed: ${(error as Error).message}`);
    }
  }
}
