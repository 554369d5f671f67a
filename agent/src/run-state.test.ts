import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renameWithRetry, RunStateStore } from "./run-state.ts";

const dir = mkdtempSync(join(tmpdir(), "puente-run-state-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const locked = (code: string) =>
  Object.assign(new Error(`${code}: operation not permitted`), { code });

describe("run state file", () => {
  test("a rename blocked for a moment by another program (EPERM, EACCES, EBUSY) goes through", () => {
    const path = join(dir, "a.json");
    const store = new RunStateStore(path);
    store.save({ runId: "r1", source: "ferrawin", params: {}, status: "running", lastSeq: 1 });
    const codes = ["EPERM", "EACCES", "EBUSY"];
    let calls = 0;
    const from = `${path}.tmp`;
    writeFileSync(from, "{}");
    renameWithRetry(from, path, (a, b) => {
      calls++;
      const code = codes.shift();
      if (code) throw locked(code);
      renameSync(a, b);
    });
    expect(calls).toBe(4);
    expect(readFileSync(path, "utf8")).toBe("{}");
  });

  test("a lock that does not go away, or another error, fails", () => {
    let calls = 0;
    expect(() =>
      renameWithRetry("x", "y", () => {
        calls++;
        throw locked("EPERM");
      }, 3)
    ).toThrow("EPERM");
    expect(calls).toBe(3);
    calls = 0;
    expect(() =>
      renameWithRetry("x", "y", () => {
        calls++;
        throw locked("ENOSPC");
      })
    ).toThrow("ENOSPC");
    expect(calls).toBe(1);
  });

  test("save and reload keep the records", () => {
    const path = join(dir, "b.json");
    new RunStateStore(path).save({
      runId: "r2",
      source: "wispro",
      params: { mode: "full" },
      status: "paused",
      lastSeq: 7,
    });
    expect(new RunStateStore(path).get("r2")).toMatchObject({ status: "paused", lastSeq: 7 });
  });
});
