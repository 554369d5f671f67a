import { describe, expect, test } from "bun:test";
import { render, textOf } from "../../testing/render.ts";

const { errorLines, RunErrorsTab, MAX_ERRORS } = await import("./RunErrorsTab.tsx");
const { RunLogTab, LAST_LINES } = await import("./RunLogTab.tsx");
const { RunRejectsTab } = await import("./RunRejectsTab.tsx");

const line = (i: number, level = "info") => ({
  level,
  message: `line ${i}`,
  at: new Date(Date.UTC(2026, 11, 5, 9, 0, i)).toISOString(),
});

describe("run detail tabs", () => {
  test("the log shows its last lines, and all of them on request", () => {
    const events = Array.from({ length: LAST_LINES + 5 }, (_, i) => line(i));
    const short = render(() => RunLogTab({ events, full: false, onShowFull: () => {} }));
    expect(short.match(/data-testid="log-line"/g)?.length).toBe(LAST_LINES);
    expect(short).toContain("run-detail-full-log");
    const full = render(() => RunLogTab({ events, full: true, onShowFull: () => {} }));
    expect(full.match(/data-testid="log-line"/g)?.length).toBe(LAST_LINES + 5);
  });
  test("errors: only error lines, newest first, at most MAX_ERRORS", () => {
    const events = Array.from({ length: 30 }, (_, i) => line(i, i % 2 ? "error" : "info"));
    const errors = errorLines(events);
    expect(errors.length).toBe(Math.min(15, MAX_ERRORS));
    expect(errors[0]?.message).toBe("line 29");
    const html = render(() => RunErrorsTab({ events, onShowFullLog: () => {} }));
    expect(html.match(/data-testid="error-line"/g)?.length).toBe(15);
  });
  test("rejects: record, reason in words and detail", () => {
    const html = render(() =>
      RunRejectsTab({
        rejects: [{
          recordKey: "2026-000009",
          reason: "missing_obra",
          detail: "obra 5",
          at: line(1).at,
        }],
      })
    );
    const row = textOf(html, "reject-row") ?? "";
    expect(row).toContain("2026-000009");
    expect(row).toContain("Planilla sin obra válida");
    expect(row).toContain("obra 5");
  });
});
