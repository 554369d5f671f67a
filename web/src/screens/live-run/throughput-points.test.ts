import { describe, expect, test } from "bun:test";
import { niceMax, PLOT, throughputScale } from "./throughput-points.ts";

describe("throughput chart scale", () => {
  test("the y axis ends at a round number at or above the highest rate", () => {
    expect([0, 0.4, 1, 1.2, 3, 7, 10, 12, 45, 260].map(niceMax))
      .toEqual([1, 1, 1, 2, 5, 10, 10, 20, 50, 500]);
  });
  test("y ticks run from 0 at the bottom to the maximum at the top, evenly", () => {
    const scale = throughputScale([{ at: 0, ratePerS: 3 }, { at: 1000, ratePerS: 4.5 }]);
    expect(scale.yMax).toBe(5);
    expect(scale.yTicks.map((t) => t.value)).toEqual([0, 1.25, 2.5, 3.75, 5]);
    expect(scale.yTicks[0]?.at).toBe(PLOT.y + PLOT.height);
    expect(scale.yTicks.at(-1)?.at).toBe(PLOT.y);
  });
  test("x follows time: the first sample on the left edge, the last on the right, ticks at both and between", () => {
    const scale = throughputScale([
      { at: 10_000, ratePerS: 0 },
      { at: 11_000, ratePerS: 10 },
      { at: 14_000, ratePerS: 5 },
    ]);
    expect(scale.points.split(" ")).toEqual([
      `${PLOT.x.toFixed(1)},${(PLOT.y + PLOT.height).toFixed(1)}`,
      `${(PLOT.x + PLOT.width / 4).toFixed(1)},${PLOT.y.toFixed(1)}`,
      `${(PLOT.x + PLOT.width).toFixed(1)},${(PLOT.y + PLOT.height / 2).toFixed(1)}`,
    ]);
    expect(scale.xTicks.map((t) => t.value)).toEqual([10_000, 12_000, 14_000]);
  });
  test("no samples, no line and no time ticks", () => {
    const scale = throughputScale([]);
    expect(scale.points).toBe("");
    expect(scale.xTicks).toEqual([]);
  });
});
