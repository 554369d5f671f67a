// The agent's log: one file per local day (puente-agent-YYYY-MM-DD.log) kept 30 days, optional console
// echo, secrets redacted, and listeners so a run can ship its own lines to the panel as run events.
// Lines in the file carry the PC's local time with its offset (what the office reads on its clock);
// the events shipped to the panel keep UTC.
import { appendFileSync, mkdirSync, readdirSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { redact } from "../config.ts";
import { OWNER_ONLY_DIR, OWNER_ONLY_FILE } from "../private-files.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LogLine {
  level: LogLevel;
  message: string;
  at: string;
}

export interface LoggerOptions {
  /** Folder for the daily files; null writes no files (tests, `--help`). */
  dir: string | null;
  /** Values to mask as `***` wherever they appear. */
  secrets?: readonly string[];
  /** Echo lines to stderr (the daemon under systemd; off while a progress bar draws). */
  echo?: boolean;
  /** Days of files to keep. Default 30. */
  keepDays?: number;
  now?: () => Date;
}

const LOG_FILE = /^puente-agent-(\d{4}-\d{2}-\d{2})\.log$/;

export class Logger {
  readonly #options: LoggerOptions;
  readonly #listeners = new Set<(line: LogLine) => void>();
  #prunedFor = "";

  constructor(options: LoggerOptions) {
    this.#options = options;
    if (options.dir) mkdirSync(options.dir, { recursive: true, mode: OWNER_ONLY_DIR });
  }

  /** Turns console echo on or off (the CLI turns it off while it draws a progress bar). */
  set echo(isOn: boolean) {
    this.#options.echo = isOn;
  }

  debug = (message: string) => this.write("debug", message);
  info = (message: string) => this.write("info", message);
  warn = (message: string) => this.write("warn", message);
  error = (message: string) => this.write("error", message);

  write(level: LogLevel, rawMessage: string): void {
    const now = (this.#options.now ?? (() => new Date()))();
    const line: LogLine = {
      level,
      message: redact(rawMessage, this.#options.secrets ?? []),
      at: now.toISOString(),
    };
    const local = localTimestamp(now);
    const text = `${local} ${level.toUpperCase().padEnd(5)} ${line.message}\n`;
    if (this.#options.dir) {
      const day = local.slice(0, 10);
      try {
        appendFileSync(join(this.#options.dir, `puente-agent-${day}.log`), text, {
          mode: OWNER_ONLY_FILE,
        });
        if (this.#prunedFor !== day) {
          this.#prunedFor = day;
          pruneLogFiles(this.#options.dir, this.#options.keepDays ?? 30, now);
        }
      } catch (error) {
        process.stderr.write(`cannot write the log file: ${(error as Error).message}\n`);
      }
    }
    if (this.#options.echo) process.stderr.write(text);
    for (const listener of this.#listeners) listener(line);
  }

  /** Calls `listener` for every line from now on; returns the function that stops it. */
  subscribe(listener: (line: LogLine) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `2026-03-01T20:59:59.000-03:00`: the local time with its offset from UTC. */
export function localTimestamp(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.` +
    `${pad(date.getMilliseconds(), 3)}${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${
      pad(Math.abs(offset) % 60)
    }`;
}

/** Deletes daily files older than `keepDays`; returns the names it deleted. */
export function pruneLogFiles(dir: string, keepDays: number, now: Date): string[] {
  const cutoff = localTimestamp(new Date(now.getTime() - keepDays * 86_400_000)).slice(0, 10);
  const deleted: string[] = [];
  for (const name of readdirSync(dir)) {
    const day = LOG_FILE.exec(name)?.[1];
    if (day && day < cutoff) {
      unlinkSync(join(dir, name));
      deleted.push(name);
    }
  }
  return deleted;
}

/** Collects a run's log lines between two progress reports (at most `max`, oldest dropped). */
export class RunEventBuffer {
  #lines: LogLine[] = [];
  #dropped = 0;
  readonly #unsubscribe: () => void;
  readonly max: number;

  constructor(logger: Logger, max = 200, minLevel: LogLevel = "info") {
    this.max = max;
    const order: LogLevel[] = ["debug", "info", "warn", "error"];
    this.#unsubscribe = logger.subscribe((line) => {
      if (order.indexOf(line.level) < order.indexOf(minLevel)) return;
      this.#lines.push({ ...line, message: line.message.slice(0, 2000) });
      if (this.#lines.length > this.max) {
        this.#lines.shift();
        this.#dropped++;
      }
    });
  }

  /** The lines collected since the last take, oldest first. */
  take(): LogLine[] {
    const lines = this.#lines;
    if (this.#dropped > 0 && lines.length > 0) {
      lines[0] = {
        ...lines[0]!,
        message: `(${this.#dropped} earlier lines are in the agent's log file) ${lines[0]!.message}`
          .slice(0, 2000),
      };
    }
    this.#lines = [];
    this.#dropped = 0;
    return lines;
  }

  /** Puts lines back at the front (a report that failed), keeping the newest `max`. */
  putBack(lines: LogLine[]): void {
    this.#lines = [...lines, ...this.#lines].slice(-this.max);
  }

  close(): void {
    this.#unsubscribe();
  }
}
