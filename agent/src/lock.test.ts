import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  acquireLock,
  bootTime,
  isOwnerRunning,
  isProcessAlive,
  lockHolder,
  processStartIdentity,
  readLockFile,
} from "./lock.ts";
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

  test("another process is refused while this one holds the lock, and gets it after the release", () => {
    const path = join(dir, "exclusive.lock");
    // A second agent process: it tries the lock and says what happened, then lets it go.
    const tryInAnotherProcess = () => {
      const child = Bun.spawnSync([
        process.execPath,
        "-e",
        `import { acquireLock } from ${JSON.stringify(join(import.meta.dir, "lock.ts"))};
         try { acquireLock(${JSON.stringify(path)}).release(); console.log("taken"); }
         catch (error) { console.log(error.name + " " + error.pid); }`,
      ]);
      return child.stdout.toString().trim();
    };
    const lock = acquireLock(path);
    try {
      expect(tryInAnotherProcess()).toBe(`LockHeld ${process.pid}`);
      expect(readFileSync(path, "utf8").split("\n")[0]).toBe(String(process.pid));
    } finally {
      lock.release();
    }
    expect(tryInAnotherProcess()).toBe("taken");
    expect(existsSync(path)).toBe(false);
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

  test("records this boot and the owner's start, and a live owner is still seen as running", () => {
    const path = join(dir, "f.lock");
    const lock = acquireLock(path);
    try {
      const owner = readLockFile(path)!;
      expect(owner.pid).toBe(process.pid);
      expect(Math.abs(owner.bootedAt! - bootTime())).toBeLessThan(60_000);
      expect(owner.processStart).toBe(processStartIdentity(process.pid));
      expect(owner.processStart).not.toBeNull(); // Linux: /proc/<pid>/stat
      expect(lockHolder(path)).toBe(process.pid);
    } finally {
      lock.release();
    }
  });

  describe("PID reuse", () => {
    // A live process that is not the one that wrote the lock: what a reboot leaves behind when
    // Windows gives the old agent's PID to some other program.
    let other: ReturnType<typeof Bun.spawn>;
    const otherPid = () => other.pid;
    beforeAll(() => {
      other = Bun.spawn(["sleep", "60"], { stdout: "ignore" });
    });
    afterAll(() => other.kill());

    test("a lock from an earlier boot whose PID is alive again is stale and taken over", () => {
      expect(isProcessAlive(otherPid())).toBe(true);
      const path = join(dir, "reboot.lock");
      const yesterday = Math.round(bootTime() - 86_400_000);
      writeFileSync(path, `${otherPid()}\n2026-01-01T00:00:00Z\nbooted=${yesterday}\n`);
      const lock = acquireLock(path);
      expect(readLockFile(path)!.pid).toBe(process.pid);
      lock.release();
    });

    test("same boot, but the PID now belongs to a process that started at another time", () => {
      const path = join(dir, "reused.lock");
      const start = processStartIdentity(otherPid())!;
      const booted = Math.round(bootTime());
      writeFileSync(path, `${otherPid()}\nx\nbooted=${booted}\nstart=${Number(start) - 1}\n`);
      expect(lockHolder(path)).toBeNull();
      acquireLock(path).release();
      // The very process that wrote it, still running: held.
      writeFileSync(path, `${otherPid()}\nx\nbooted=${booted}\nstart=${start}\n`);
      expect(lockHolder(path)).toBe(otherPid());
      expect(() => acquireLock(path)).toThrow(LockHeld);
    });

    test("the reboot check also works where the start time cannot be read (injected)", () => {
      const owner = { pid: 4242, bootedAt: 1_000_000, processStart: null };
      const alive = () => true;
      expect(isOwnerRunning(owner, { isAlive: alive, bootedAt: () => 1_000_000 + 60_000 }))
        .toBe(true);
      expect(isOwnerRunning(owner, { isAlive: alive, bootedAt: () => 1_000_000 + 3_600_000 }))
        .toBe(false);
    });
  });
});
