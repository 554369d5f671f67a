// One agent process at a time on this machine: a lock file holding the owner's PID. A lock whose PID
// is no longer alive (a crash, a power cut) is stale and is taken over.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { LockHeld } from "./errors/lock-held.ts";

export interface Lock {
  readonly path: string;
  /** Removes the lock file if this process still owns it. */
  release(): void;
}

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

/** The PID recorded in a lock file, or null when the file is missing or unreadable. */
export function readLockOwner(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8").split("\n")[0] ?? "", 10);
    return Number.isFinite(pid) ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Takes the lock at `path` for `pid` (this process by default). Throws `LockHeld` when a live process
 * holds it; removes a stale lock (dead or unreadable PID) and takes it.
 */
export function acquireLock(
  path: string,
  options: { pid?: number; isAlive?: (pid: number) => boolean } = {},
): Lock {
  const pid = options.pid ?? process.pid;
  const isAlive = options.isAlive ?? isProcessAlive;
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o644);
      writeSync(fd, `${pid}\n${new Date().toISOString()}\n`);
      closeSync(fd);
      return {
        path,
        release() {
          if (readLockOwner(path) === pid) unlinkSync(path);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = readLockOwner(path);
      if (owner !== null && owner !== pid && isAlive(owner)) throw new LockHeld(path, owner);
      try {
        unlinkSync(path);
      } catch {
        // Another process removed it first; the next attempt decides.
      }
    }
  }
  throw new LockHeld(path, readLockOwner(path) ?? -1);
}
