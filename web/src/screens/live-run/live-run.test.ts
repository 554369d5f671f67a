import { describe, expect, test } from "bun:test";
import type { RunSummary } from "@puente/protocol";
import { render, textOf } from "../../testing/render.ts";
import { runSummary } from "../../testing/fixtures.ts";

const { RunBadges } = await import("./RunBadges.tsx");
const { LiveRunStats } = await import("./LiveRunStats.tsx");
const { RunControls } = await import("./RunControls.tsx");
const { ThroughputChart } = await import("./ThroughputChart.tsx");

const NOW = Date.parse("2026-12-05T10:00:00Z");
const run = runSummary;

describe("live run badges", () => {
  test("while the run goes on, the agent's state is labelled as the agent's", () => {
    const html = render(() => RunBadges({ run: run(), isPausing: false, now: NOW }));
    expect(textOf(html, "run-state")).toBe("Agente: En ejecución");
    expect(textOf(html, "run-remote-status")).toBe("Sincronizando…");
  });
  test("a finished run shows only its own status: no 'Detenido' beside 'Finalizado'", () => {
    const html = render(() =>
      RunBadges({
        run: run({ status: "completed", finishedAt: "2026-12-05T09:59:58Z" }),
        isPausing: false,
        now: NOW,
      })
    );
    expect(html).not.toContain('data-testid="run-state"');
    expect(html).not.toContain("Detenido");
    expect(textOf(html, "run-remote-status")).toBe("Finalizado");
  });
  test("pausing is the agent's state too", () => {
    const html = render(() => RunBadges({ run: run(), isPausing: true, now: NOW }));
    expect(textOf(html, "run-state")).toBe("Agente: Pausando…");
  });
});

describe("live run numbers and controls", () => {
  test("done of total with percent, rate, time left and the last planilla", () => {
    const html = render(() => LiveRunStats({ run: run() }));
    expect(textOf(html, "run-done-total")).toBe("40 de 80 (50%)");
    expect(textOf(html, "run-rate")).toBe("4/s");
    expect(textOf(html, "run-eta")).toBe("10 s");
    expect(textOf(html, "run-last-item")).toContain("2025-000040");
  });
  test("a running run offers pause and cancel; a paused one resume; a finished one neither", () => {
    const controls = (status: RunSummary["status"]) =>
      render(() =>
        RunControls({
          run: run({ status }),
          busy: false,
          isPausing: false,
          canCancel: true,
          isDetailOpen: false,
          onAction: () => {},
          onToggleDetail: () => {},
        })
      );
    expect(controls("running")).toContain("run-pause");
    expect(controls("running")).toContain("run-cancel");
    expect(controls("paused")).toContain("run-resume");
    expect(controls("completed")).not.toMatch(/run-(pause|resume|cancel)"/);
  });
});

describe("throughput chart", () => {
  test("axes with the unit, a labelled scale from 0 and clock times", () => {
    const html = render(() =>
      ThroughputChart({
        samples: [
          { at: Date.parse("2026-12-05T09:59:00Z"), ratePerS: 3 },
          { at: Date.parse("2026-12-05T09:59:30Z"), ratePerS: 7 },
          { at: Date.parse("2026-12-05T10:00:00Z"), ratePerS: 6 },
        ],
        label: "Velocidad",
        unit: "planillas/s",
      })
    );
    expect(textOf(html, "chart-y-title")).toBe("Velocidad (planillas/s)");
    const yTicks = [...html.matchAll(/data-testid="chart-y-tick"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(yTicks).toEqual(["0", "2,5", "5", "7,5", "10"]);
    const xTicks = [...html.matchAll(/data-testid="chart-x-tick"[^>]*>([^<]*)</g)];
    expect(xTicks.length).toBe(3);
    expect(html).toContain("Hora");
  });
  test("one sample draws no chart", () => {
    const html = render(() =>
      ThroughputChart({ samples: [{ at: 0, ratePerS: 1 }], label: "x", unit: "planillas/s" })
    );
    expect(html).not.toContain("throughput-chart");
  });
});
