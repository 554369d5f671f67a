import { beforeAll, describe, expect, test } from "bun:test";
import { etaMs, formatDuration, renderProgressLine, renderSummary } from "./progress-bar.ts";
import type { RunSnapshot } from "../run/runner.ts";
import { setCliLang } from "../i18n/i18n.ts";

// These tests read the CLI's English messages.
beforeAll(() => setCliLang("en"));

const snapshot: RunSnapshot = {
  runId: "r1",
  source: "ferrawin",
  mode: "all",
  status: "running",
  total: 200,
  done: 50,
  counts: {},
  ratePerS: 10,
  lastItem: { code: "2025-000050", cliente: null, obra: null },
  cursor: null,
  startedAt: 0,
  error: null,
};

describe("progress bar", () => {
  test("shows percent, done/total, rate, ETA and the last planilla", () => {
    const line = renderProgressLine(snapshot, 120);
    expect(line).toContain(" 25%");
    expect(line).toContain("50/200");
    expect(line).toContain("10.0/s");
    expect(line).toContain("ETA 0:15");
    expect(line).toContain("2025-000050");
    expect(renderProgressLine(snapshot, 40).length).toBeLessThanOrEqual(40);
  });

  test("ETA is unknown without a total or a rate", () => {
    expect(etaMs({ ...snapshot, total: null })).toBeNull();
    expect(etaMs({ ...snapshot, ratePerS: 0 })).toBeNull();
    expect(formatDuration(3_725_000)).toBe("1:02:05");
  });

  test("the summary has one row per kind with its counts", () => {
    const text = renderSummary({
      ...snapshot,
      status: "completed",
      done: 200,
      elapsedMs: 65_000,
      counts: { planillas: { created: 3, updated: 150, unchanged: 40, deleted: 0, rejected: 7 } },
    });
    expect(text).toContain("completed in 1:05");
    expect(text).toMatch(/planillas\s+3\s+150\s+40\s+0\s+7/);
  });
});
