import { describe, expect, test } from "bun:test";
import { render, textOf } from "../../testing/render.ts";
import { runSummary } from "../../testing/fixtures.ts";
import type { HistoryRun } from "../../api/rpc-shapes.ts";
import { averageRate, rejectGroups, runDurationS, startedBy } from "./history-row.ts";

const { HistoryTable } = await import("./HistoryTable.tsx");

const NOW = Date.parse("2026-12-05T10:00:00Z");
const run = (over: Partial<HistoryRun>): HistoryRun => ({
  ...runSummary({
    mode: "incremental",
    params: { mode: "incremental" },
    status: "completed",
    total: 120,
    done: 120,
    counts: { planillas: { created: 100, updated: 0, unchanged: 0, deleted: 0, rejected: 3 } },
    ratePerS: 0,
    lastItem: null,
    createdAt: "2026-12-05T09:00:00Z",
    startedAt: "2026-12-05T09:00:00Z",
    updatedAt: "2026-12-05T09:02:00Z",
    finishedAt: "2026-12-05T09:02:00Z",
  }),
  requestedBy: "ana@example.com",
  rejectsByReason: { missing_obra: 2, invalid_record: 1 },
  ...over,
});

describe("history row facts", () => {
  test("duration runs from start to finish, or to now while the run goes on", () => {
    expect(runDurationS(run({}), NOW)).toBe(120);
    expect(runDurationS(run({ finishedAt: null }), NOW)).toBe(3600);
    expect(runDurationS(run({ startedAt: null }), NOW)).toBeNull();
  });
  test("average rate is done over duration", () => {
    expect(averageRate(run({}), NOW)).toBe(1);
    expect(averageRate(run({ startedAt: null }), NOW)).toBeNull();
  });
  test("started by: the schedule, the requester, or nobody known", () => {
    expect(startedBy(run({ scheduled: true }))).toEqual({ kind: "schedule" });
    expect(startedBy(run({}))).toEqual({ kind: "person", who: "ana@example.com" });
    expect(startedBy(run({ requestedBy: null }))).toBeNull();
  });
  test("rejects grouped by reason, most first, empty ones left out", () => {
    expect(rejectGroups({ invalid_record: 1, missing_obra: 2, blank_key: 0 })).toEqual([
      { reason: "missing_obra", count: 2 },
      { reason: "invalid_record", count: 1 },
    ]);
  });
});

describe("history table", () => {
  test("a row shows who started the run, its duration, average rate with units and rejects by reason", () => {
    const html = render(() =>
      HistoryTable({
        runs: [run({}), run({ id: "r2", scheduled: true, requestedBy: null })],
        now: NOW,
        onOpen: () => {},
      })
    );
    const row = textOf(html, "history-row-r1") ?? "";
    expect(row).toContain("ana@example.com");
    expect(row).toContain("2 min");
    expect(row).toContain("1/s (planillas/s)");
    expect(row).toContain("Planilla sin obra válida: 2");
    expect(textOf(html, "history-row-r2")).toContain("Programada");
  });
  test("no runs: the empty text", () => {
    const html = render(() => HistoryTable({ runs: [], now: NOW, onOpen: () => {} }));
    expect(textOf(html, "history-empty")).toBe("No hay sincronizaciones con estos filtros.");
  });
});
