// What the agent remembers locally about its unfinished runs: the highest batch seq it used (a resumed
// run must never reuse one, since the edge answers a replayed seq with its first answer), the run's
// params (needed to reopen it), and whether it was running (a crash) or paused. The file is replaced by
// a rename after every batch; an antivirus scanning it holds it open for a moment, which Windows reports
// as EPERM / EACCES / EBUSY, so the rename is tried again for a few seconds before it fails.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Source } from "@puente/protocol";
import { OWNER_ONLY_DIR, OWNER_ONLY_FILE } from "./private-files.ts";

export interface RunRecord {
  runId: string;
  source: Source;
  params: Record<string, unknown>;
  status: "running" | "paused";
  /** Highest seq handed to the sink so far (-1 before the first batch). */
  lastSeq: number;
  updatedAt: string;
}

/** A run's record as the run writes it (RunStateStore.track). */
export interface TrackedRun {
  running(lastSeq: number): void;
  paused(lastSeq: number): void;
  forget(): void;
}

export class RunStateStore {
  readonly #path: string;
  #records: Record<string, RunRecord>;

  constructor(path: string) {
    this.#path = path;
    this.#records = readRecords(path);
  }

  get(runId: string): RunRecord | null {
    return this.#records[runId] ?? null;
  }

  /** Runs that were `running` when the agent stopped: a crash left them, the daemon resumes them. */
  interrupted(): RunRecord[] {
    return Object.values(this.#records).filter((r) => r.status === "running");
  }

  /** The most recently paused run of a source, for a resume or cancel without a runId. */
  lastPaused(source: Source): RunRecord | null {
    return Object.values(this.#records)
      .filter((r) => r.status === "paused" && r.source === source)
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0] ?? null;
  }

  /**
   * The one way a run in progress writes its record: `running` before each batch is handed to the sink
   * (with the highest seq it may use), `paused` when it stops to continue later, `forget` once it
   * ended on the server.
   */
  track(run: Pick<RunRecord, "runId" | "source" | "params">): TrackedRun {
    const write = (status: RunRecord["status"], lastSeq: number) =>
      this.save({ runId: run.runId, source: run.source, params: run.params, status, lastSeq });
    return {
      running: (lastSeq) => write("running", lastSeq),
      paused: (lastSeq) => write("paused", lastSeq),
      forget: () => this.remove(run.runId),
    };
  }

  save(record: Omit<RunRecord, "updatedAt">): void {
    this.#records[record.runId] = { ...record, updatedAt: new Date().toISOString() };
    this.#write();
  }

  remove(runId: string): void {
    if (!(runId in this.#records)) return;
    delete this.#records[runId];
    this.#write();
  }

  #write() {
    mkdirSync(dirname(this.#path), { recursive: true, mode: OWNER_ONLY_DIR });
    const temporary = `${this.#path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.#records, null, 2), { mode: OWNER_ONLY_FILE });
    try {
      renameWithRetry(temporary, this.#path);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  }
}

/** Errors a file held open by another program (an antivirus, a backup, an indexer) causes on Windows. */
const TRANSIENT_LOCK_CODES = new Set(["EPERM", "EACCES", "EBUSY"]);

/**
 * `rename`, tried again with a growing pause (10 ms doubling, about 5 s in all) while another program
 * holds the target. Synchronous, like the writes it follows, so the state is on disk before a batch
 * is sent.
 */
export function renameWithRetry(
  from: string,
  to: string,
  rename: (from: string, to: string) => void = renameSync,
  attempts = 10,
): void {
  for (let attempt = 1;; attempt++) {
    try {
      rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "";
      if (!TRANSIENT_LOCK_CODES.has(code) || attempt >= attempts) throw error;
      Bun.sleepSync(Math.min(1000, 10 * 2 ** (attempt - 1)));
    }
  }
}

function readRecords(path: string): Record<string, RunRecord> {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as unknown;
    return parsed && typeof parsed === "object" ? parsed as Record<string, RunRecord> : {};
  } catch {
    return {};
  }
}
