// One agent process at a time on this machine: a lock file holding the owner's PID, this boot's start
// time and the owner process's own start time. A lock is stale, and taken over, when its PID is dead,
// when it was written in an earlier boot (Windows hands out the same small PIDs again after every
// reboot or power cut: exactly when a lock is left behind), or when the process now holding that PID
// started at another time than the one that wrote it.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { uptime } from "node:os";
import { dirname } from "node:path";
import { LockHeld } from "./errors/lock-held.ts";

export interface Lock {
  readonly path: string;
  /** Removes the lock file if this process still owns it. */
  release(): void;
}

/** What a lock file says about its owner. */
export interface LockOwner {
  pid: number;
  /** When this machine booted, per the writer (ms since the epoch); null in an old-format lock. */
  bootedAt: number | null;
  /** The owner process's start, as `processStartIdentity` gives it; null when it was unknown. */
  processStart: string | null;
}

/** How far two readings of the boot time may differ and still be the same boot (clock adjustments). */
export const BOOT_TOLERANCE_MS = 5 * 60_000;

/** When this machine booted, from its uptime. */
export const bootTime = (): number => Date.now() - uptime() * 1000;

/** True when a process with this PID exists (signal 0 checks without touching it). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A string that changes when a PID is reused: on Linux the process's start time in clock ticks since
 * boot (/proc/<pid>/stat, field 22); on Windows its creation time from PowerShell. Null when the
 * process is gone or the platform cannot tell.
 */
export function processStartIdentity(pid: number): string | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    if (process.platform === "linux") {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // The command name (field 2) may hold spaces and parentheses: count fields after the last ")".
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return fields[19] ?? null;
    }
    if (process.platform === "win32") {
      const ps = Bun.spawnSync([
        "powershell.exe",
        "-NoProfile",
        "-NonInteractive",
        "-Command",
        `(Get-Process -Id ${pid} -ErrorAction Stop).StartTime.ToFileTimeUtc()`,
      ], { stdout: "pipe", stderr: "ignore" });
      const text = ps.stdout.toString().trim();
      return ps.exitCode === 0 && /^\d+$/.test(text) ? text : null;
    }
  } catch {
    // Gone, or not ours to read.
  }
  return null;
}

/** The owner recorded in a lock file, or null when the file is missing or unreadable. */
export function readLockFile(path: string): LockOwner | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return null;
  }
  const [first = "", ...rest] = text.split("\n");
  const pid = Number.parseInt(first, 10);
  if (!Number.isFinite(pid)) return null;
  const field = (name: string) =>
    rest.find((line) => line.startsWith(`${name}=`))?.slice(name.length + 1) || null;
  const booted = Number(field("booted"));
  return {
    pid,
    bootedAt: Number.isFinite(booted) && booted > 0 ? booted : null,
    processStart: field("start"),
  };
}

/** The PID recorded in a lock file, or null when the file is missing or unreadable. */
export function readLockOwner(path: string): number | null {
  return readLockFile(path)?.pid ?? null;
}

export interface LockChecks {
  isAlive?: (pid: number) => boolean;
  bootedAt?: () => number;
  processStart?: (pid: number) => string | null;
}

/** True when the lock's owner is still the process that wrote it. */
export function isOwnerRunning(owner: LockOwner, checks: LockChecks = {}): boolean {
  const isAlive = checks.isAlive ?? isProcessAlive;
  if (!isAlive(owner.pid)) return false;
  const booted = (checks.bootedAt ?? bootTime)();
  if (owner.bootedAt !== null && Math.abs(booted - owner.bootedAt) > BOOT_TOLERANCE_MS) {
    return false;
  }
  if (owner.processStart !== null) {
    const now = (checks.processStart ?? processStartIdentity)(owner.pid);
    if (now !== null && now !== owner.processStart) return false;
  }
  return true;
}

/** The PID of the agent that holds the lock at `path` now, or null when none does. */
export function lockHolder(path: string, checks: LockChecks = {}): number | null {
  const owner = readLockFile(path);
  return owner && isOwnerRunning(owner, checks) ? owner.pid : null;
}

/**
 * Takes the lock at `path` for `pid` (this process by default). Throws `LockHeld` when the process
 * that wrote it still runs; removes a stale lock (see the header) and takes it.
 */
export function acquireLock(
  path: string,
  options: { pid?: number } & LockChecks = {},
): Lock {
  const pid = options.pid ?? process.pid;
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o644);
      const start = (options.processStart ?? processStartIdentity)(pid);
      const booted = Math.round((options.bootedAt ?? bootTime)());
      writeSync(
        fd,
        `${pid}\n${new Date().toISOString()}\nbooted=${booted}\n${start ? `start=${start}\n` : ""}`,
      );
      closeSync(fd);
      return {
        path,
        release() {
          if (readLockOwner(path) === pid) unlinkSync(path);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = readLockFile(path);
      if (owner !== null && owner.pid !== pid && isOwnerRunning(owner, options)) {
        throw new LockHeld(path, owner.pid);
      }
      try {
        unlinkSync(path);
      } catch {
        // Another process removed it first; the next attempt decides.
      }
    }
  }
  throw new LockHeld(path, readLockOwner(path) ?? -1);
}
