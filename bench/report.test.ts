import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { BenchResult } from "./results.ts";
import {
  chartFile,
  checkTargets,
  currentSection,
  END_MARKER,
  readmePath,
  readResults,
  renderChart,
  renderSection,
  replaceSection,
  START_MARKER,
  throughputBars,
} from "./report.ts";

const machine = { cpus: 2, cpuModel: "Test CPU", memory: "4 GiB", os: "Linux 6" };
const result = (name: string, metrics: Record<string, number | null>): BenchResult => ({
  name,
  at: "2026-11-23T10:00:00.000Z",
  machine,
  versions: { bun: "1.4.5" },
  metrics: metrics as Record<string, number>,
});

const sample = [
  result("noop", { wall_s: 3.21, planillas_sent: 0, journal_rows: 0 }),
  result("e2e", {
    elementos_per_s: 12_345.6,
    wall_s: 160,
    copy_rows_per_s: 100_000,
    ratio_vs_copy: 0.13,
  }),
  result("changed", { wall_s: 4, planillas_sent: 370, planillas_changed: 369 }),
  result("agent", { peak_rss_mb: null }),
];

describe("targets", () => {
  test("met, missed, and not measured when the metric is absent or null", () => {
    const verdicts = (name: string) =>
      checkTargets(sample.find((r) => r.name === name)!).map((c) => c.verdict);
    expect(verdicts("e2e")).toEqual(["missed", "missed"]);
    expect(verdicts("noop")).toEqual(["met", "met"]);
    // planillas_sent must equal another metric, planillas_changed.
    expect(verdicts("changed")).toEqual(["met", "missed"]);
    expect(verdicts("agent")).toEqual(["not measured"]);
  });
});

describe("rendering", () => {
  test("the table lists benchmarks in run order with figures, targets, verdicts and dates", () => {
    const section = renderSection(sample);
    expect(section.startsWith(START_MARKER)).toBe(true);
    expect(section.endsWith(END_MARKER)).toBe(true);
    const rows = section.split("\n").filter((l) => l.startsWith("| `"));
    expect(rows.map((r) => r.split("|")[1]!.trim())).toEqual([
      "`agent`",
      "`e2e`",
      "`noop`",
      "`changed`",
    ]);
    expect(rows[1]).toBe(
      "| `e2e` | elementos_per_s 12,346, wall_s 160, copy_rows_per_s 100,000, ratio_vs_copy 0.13 | " +
        "elementos_per_s ≥ 60,000; ratio_vs_copy ≥ 0.25 | missed; missed | 2026-11-23 |",
    );
    expect(rows[0]).toContain("peak_rss_mb –");
    expect(section).toContain("Recorded on 2 cores (Test CPU), 4 GiB, Linux 6.");
    expect(section).toContain("![Throughput per benchmark](bench/results/chart.svg)");
  });

  test("the chart has one bar per throughput, scaled to the largest, COPY in grey", () => {
    const bars = throughputBars(sample);
    expect(bars.map((b) => [b.label, b.isLimit])).toEqual([
      ["e2e: elementos/s", false],
      ["e2e: copy rows/s", true],
    ]);
    const svg = renderChart(bars);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const widths = [...svg.matchAll(/<rect x="\d+" y="[\d.]+" width="(\d+)"/g)].map((m) =>
      Number(m[1])
    );
    // The COPY bar is the longest; the e2e bar is 12,346/100,000 of it.
    expect(widths[0]! / widths[1]!).toBeCloseTo(0.123, 2);
    expect(svg).toContain('fill="#9ca3af"');
    expect(svg).toContain(">12,346<");
    expect(svg).toContain(">100,000<");
  });

  test("labels are escaped for XML", () => {
    const svg = renderChart([{ label: "a<b & c", value: 1, unit: "x/s", isLimit: false }]);
    expect(svg).toContain("a&lt;b &amp; c");
    expect(svg).not.toContain("a<b");
  });

  test("replaceSection swaps only the text between the markers", () => {
    const readme = `# T\n\nbefore\n${START_MARKER}\nold\n${END_MARKER}\nafter\n`;
    const next = replaceSection(readme, `${START_MARKER}\nnew\n${END_MARKER}`);
    expect(next).toBe(`# T\n\nbefore\n${START_MARKER}\nnew\n${END_MARKER}\nafter\n`);
    expect(() => replaceSection("# no markers\n", "x")).toThrow(/bench:start/);
  });
});

describe("the committed results", () => {
  const results = readResults();

  test("the README's results section is what report.ts generates from bench/results/*.json", () => {
    const readme = readFileSync(readmePath, "utf8");
    expect(currentSection(readme)).toBe(renderSection(results));
  });

  test("bench/results/chart.svg is what report.ts generates from them", () => {
    expect(readFileSync(chartFile, "utf8")).toBe(renderChart(throughputBars(results)));
  });
});
