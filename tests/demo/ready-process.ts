// A long-running command as a person runs it in a terminal: its own process group, output watched for
// the ready line (a stdout line of JSON starting with {"ready":true), then Ctrl-C (SIGINT to the whole
// group, as a terminal sends it) and proof that it stopped cleanly: exit code 0, no process it started
// still alive, and every port it listened on free again. Used by the demo and README tests.
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isPortFree } from "../../devstack/src/web-server.ts";

export const REPO_ROOT = join(import.meta.dir, "..", "..");

/** The ready line's fields this harness relies on; the rest is passed through to the caller. */
export interface ReadyLine {
  ready: true;
  ports?: number[];
  pids?: Record<string, number>;
  [field: string]: unknown;
}

export interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Processes started by the command that were still alive after the grace period. */
  leftovers: string[];
  /** Ports the ready line named (see `portsOf`), all checked. */
  ports: number[];
  /** Of those, the ports still taken after the grace period. */
  busyPorts: number[];
  /** Milliseconds from SIGINT until the command exited. */
  exitMs: number;
}

/** `pid → parent pid` for every process on the machine, from /proc. */
function parentsByPid(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name is in parentheses and may itself hold spaces or parentheses.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // the process ended while we looked
    }
  }
  return parents;
}

/** Every live descendant of `root`, found through parent links. */
export function descendantsOf(root: number): number[] {
  const parents = parentsByPid();
  const found: number[] = [];
  const frontier = [root];
  while (frontier.length) {
    const parent = frontier.pop()!;
    for (const [pid, ppid] of parents) {
      if (ppid === parent && !found.includes(pid)) {
        found.push(pid);
        frontier.push(pid);
      }
    }
  }
  return found;
}

/** The command line of a live process (zombies count as gone: they run nothing), else null. */
function commandLine(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    if (state === "Z" || state === "X") return null;
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return null;
  }
}

/**
 * Every local port a ready line names: its `ports` list, if any, plus each 127.0.0.1 URL and each
 * `{ host: "127.0.0.1", port }` object in it (the devstack's line has no `ports` list).
 */
export function portsOf(ready: ReadyLine): number[] {
  const ports = new Set<number>(ready.ports ?? []);
  const visit = (value: unknown) => {
    if (typeof value === "string") {
      const match = /^[a-z]+:\/\/(?:[^@/]*@)?127\.0\.0\.1:(\d+)/.exec(value);
      if (match) ports.add(Number(match[1]));
    } else if (value && typeof value === "object") {
      const record = value as Record<string, unknown>;
      if (record.host === "127.0.0.1" && typeof record.port === "number") ports.add(record.port);
      Object.values(record).forEach(visit);
    }
  };
  visit(ready);
  return [...ports].sort((a, b) => a - b);
}

/** True when something still has a process in process group `pgid`. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export class ReadyProcess {
  readonly output: string[] = [];
  private readonly child: ChildProcess;
  private readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readyLine: ReadyLine | null = null;
  private waiters: (() => void)[] = [];
  /** What the command had started when it was ready: pid → command line (to tell a reused pid). */
  private started = new Map<number, string>();

  /** Starts `command` through `sh -c` from the repo root, in a process group of its own. */
  constructor(readonly command: string, env: Record<string, string | undefined> = process.env) {
    this.child = spawn("sh", ["-c", command], {
      cwd: REPO_ROOT,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.exit = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => {
        resolve({ code, signal });
        this.wake();
      });
    });
    const collect = (isStdout: boolean) => {
      let partial = "";
      return (chunk: Buffer) => {
        const lines = (partial + chunk.toString("utf8")).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) {
          this.output.push(line);
          // Only the tail is ever shown; a chatty server must not grow the test's memory without bound.
          if (this.output.length > 4000) this.output.splice(0, 2000);
          if (isStdout && !this.readyLine && line.startsWith('{"ready":true')) {
            this.readyLine = JSON.parse(line) as ReadyLine;
            // What the command started, taken while everything runs (after exit they are orphans).
            const pids = [
              this.child.pid!,
              ...descendantsOf(this.child.pid!),
              ...Object.values(this.readyLine.pids ?? {}),
            ];
            for (const pid of pids) {
              const command = commandLine(pid);
              if (command !== null) this.started.set(pid, command);
            }
            this.wake();
          }
        }
      };
    };
    this.child.stdout!.on("data", collect(true));
    this.child.stderr!.on("data", collect(false));
  }

  get pid(): number {
    return this.child.pid!;
  }

  private wake() {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** The last `n` lines of output, for failure messages. */
  tail(n = 40): string {
    return this.output.slice(-n).join("\n");
  }

  /** Resolves with the ready line; rejects if the command exits first or `timeoutMs` passes. */
  async ready(timeoutMs: number): Promise<ReadyLine> {
    const deadline = Date.now() + timeoutMs;
    while (!this.readyLine) {
      if (this.hasExited()) {
        throw new Error(`\`${this.command}\` exited before its ready line:\n${this.tail()}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`\`${this.command}\` not ready after ${timeoutMs} ms:\n${this.tail()}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.readyLine;
  }

  /** The exit status, once the command has exited on its own (for commands that are not servers). */
  async finished(timeoutMs: number): Promise<{ code: number | null; signal: string | null }> {
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs));
    const result = await Promise.race([this.exit, timeout]);
    if (!result) {
      this.kill();
      throw new Error(`\`${this.command}\` still running after ${timeoutMs} ms:\n${this.tail()}`);
    }
    return result;
  }

  /**
   * Ctrl-C: SIGINT to the whole process group, as a terminal sends it. Waits up to `timeoutMs` for the
   * exit, then up to `graceMs` for every process it started to end and every port it listed to be free.
   */
  async interrupt(timeoutMs = 30_000, graceMs = 15_000): Promise<Stopped> {
    const sent = Date.now();
    if (!this.hasExited()) process.kill(-this.pid, "SIGINT");
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs));
    const result = await Promise.race([this.exit, timeout]);
    if (!result) {
      this.kill();
      throw new Error(`\`${this.command}\` ignored Ctrl-C for ${timeoutMs} ms:\n${this.tail()}`);
    }
    const exitMs = Date.now() - sent;

    const ports = this.readyLine ? portsOf(this.readyLine) : [];
    // Watchdogs that guard against a crashed owner poll once a second; give them a moment to notice.
    const deadline = Date.now() + graceMs;
    let leftovers: string[] = [];
    let busyPorts: number[] = [];
    do {
      // A pid whose command line changed was reused by an unrelated process after ours ended.
      leftovers = [...this.started].filter(([pid, command]) => commandLine(pid) === command)
        .map(([pid, command]) => `${pid} ${command.slice(0, 120)}`);
      if (groupAlive(this.pid)) leftovers.push(`process group ${this.pid} still has members`);
      busyPorts = ports.filter((port) => !isPortFree(port));
      if (leftovers.length === 0 && busyPorts.length === 0) break;
      await Bun.sleep(250);
    } while (Date.now() < deadline);
    return { ...result, leftovers, ports, busyPorts, exitMs };
  }

  /**
   * Last resort for a failed test: SIGKILL what the command started and its process group. Only pids
   * still running the command line they had are touched, so a reused pid is never hit. Never throws.
   */
  kill(): void {
    const targets = new Map(this.started);
    if (!this.hasExited()) {
      // Our child is not reaped yet, so its pid and its descendants are still ours.
      for (const pid of [this.pid, ...descendantsOf(this.pid)]) {
        const command = commandLine(pid);
        if (command !== null) targets.set(pid, command);
      }
    }
    for (const [pid, command] of targets) {
      if (commandLine(pid) !== command) continue;
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    // A process group cannot be reused while any member lives, so this only reaches ours.
    if (groupAlive(this.pid)) {
      try {
        process.kill(-this.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}
