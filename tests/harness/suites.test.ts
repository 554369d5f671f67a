import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { parseBunTest, parseCheck, parseDenoTest, parseSummaryLine, root } from "./suites.ts";
import { runStep, summaryLine } from "./run-step.ts";

describe("closing lines are counted", () => {
  test("bun test", () => {
    const out =
      "(pass) a\n(fail) b\n\n 12 pass\n 1 skip\n 2 fail\n 30 expect() calls\nRan 15 tests across 3 files.";
    expect(parseBunTest(out, 1)).toEqual({ passed: 12, failed: 2, skipped: 1 });
  });
  test("a crashed runner counts as a failure even without a closing line", () => {
    expect(parseBunTest("Segmentation fault", 139)).toEqual({ passed: 0, failed: 1, skipped: 0 });
    expect(parseDenoTest("error: Module not found", 1)).toEqual({
      passed: 0,
      failed: 1,
      skipped: 0,
    });
    expect(parseSummaryLine("boom", 2)).toEqual({ passed: 0, failed: 1, skipped: 0 });
  });
  test("deno test", () => {
    expect(parseDenoTest("ok | 9 passed | 0 failed (2s)", 0)).toEqual({
      passed: 9,
      failed: 0,
      skipped: 0,
    });
    expect(parseDenoTest("FAILED | 7 passed (3 steps) | 2 failed | 1 ignored (1s)", 1)).toEqual({
      passed: 7,
      failed: 2,
      skipped: 1,
    });
  });
  test("our own runners", () => {
    expect(parseSummaryLine("db: 40 passed, 0 failed", 0)).toEqual({
      passed: 40,
      failed: 0,
      skipped: 0,
    });
  });
  test("checks", () => {
    expect(parseCheck("", 0)).toEqual({ passed: 1, failed: 0, skipped: 0 });
    expect(parseCheck("", 3)).toEqual({ passed: 0, failed: 1, skipped: 0 });
  });
  test("summary line", () => {
    expect(
      summaryLine([{ passed: 3, failed: 0, skipped: 0 }, { passed: 2, failed: 1, skipped: 0 }]),
    ).toBe(
      "5 passed, 1 failed",
    );
    expect(summaryLine([{ passed: 1, failed: 0, skipped: 2 }])).toBe(
      "1 passed, 0 failed, 2 skipped",
    );
  });
});

describe("what stops a run", () => {
  test("a suite whose files are gone is a failure, not 0 of 0", async () => {
    const result = await runStep({
      name: "a suite whose files are gone (this test makes one on purpose)",
      command: () => null,
      parse: parseCheck,
      timeoutS: 5,
    });
    expect({ passed: result.passed, failed: result.failed, note: result.note }).toEqual({
      passed: 0,
      failed: 1,
      note: "no test files found",
    });
  });

  test("missing system packages stop npm test before any suite, with the command to run", () => {
    const run = Bun.spawnSync({
      cmd: [process.execPath, join(root, "tests", "run-all.ts")],
      cwd: root,
      env: {
        ...process.env,
        PUENTE_CHROMIUM: "/nonexistent/chromium",
        PUENTE_SYSTEM_PACKAGES: "check",
      },
      stdin: "ignore",
    });
    const output = `${run.stdout.toString()}${run.stderr.toString()}`;
    expect(run.exitCode).toBe(1);
    expect(output).toContain("npm test needs system packages that are missing: chromium");
    expect(output).toMatch(/Run: .*apt-get install -y chromium/);
    expect(output).toContain("stopped before running any suite");
    expect(output).not.toContain("▶");
  });
});
