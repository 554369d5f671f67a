import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acquireLock, isProcessAlive } from "./lock.ts";
import { LockHeld } from "./errors/lock-held.ts";

const dir = mkdtempSync(join(tmpdir(), "puente-lock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("lock", () => {
  test("writes this PID and removes the file on release", () => {
    const path = join(dir, "a.lock");
    const lock = acquireLock(path);
    expect(readFileSync(path, "utf8").split("\n")[0]).toBe(String(process.pid));
    lock.release();
    expect(existsSync(path)).toBe(false);
  });

  test("a live owner keeps it: LockHeld names the PID", () => {
    const path = join(dir, "b.lock");
    const lock = acquireLock(path);
    try {
      const error = (() => {
        try {
          acquireLock(path, { pid: process.pid + 1 });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(LockHeld);
      expect((error as LockHeld).pid).toBe(process.pid);
    } finally {
      lock.release();
    }
  });

  test("a lock left by a dead process is stale and taken over", () => {
    const path = join(dir, "c.lock");
    const dead = Bun.spawnSync(["true"]).pid;
    expect(isProcessAlive(dead)).toBe(false);
    writeFileSync(path, `${dead}\n2020-01-01T00:00:00Z\n`);
    const lock = acquireLock(path);
    expect(readFileSync(path, "utf8").startsWith(`${process.pid}\n`)).toBe(true);
    lock.release();
  });

  test("an unreadable lock file is stale too", () => {
    const path = join(dir, "d.lock");
    writeFileSync(path, "garbage");
    acquireLock(path).release();
  });

  test("release leaves a lock that another process took over", () => {
    const path = join(dir, "e.lock");
    const lock = acquireLock(path);
    writeFileSync(path, "999999\n");
    lock.release();
    expect(existsSync(path)).toBe(true);
  });
});
