// What the agent remembers locally about its unfinished runs: the highest batch seq it used (a resumed
// run must never reuse one, since the edge answers a replayed seq with its first answer), the run's
// params (needed to reopen it), and whether it was running (a crash) or paused.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
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
    renameSync(temporary, this.#path);
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
