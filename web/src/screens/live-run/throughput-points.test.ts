import { describe, expect, test } from "bun:test";
import { throughputPoints } from "./throughput-points.ts";

describe("throughput chart points", () => {
  test("spreads samples across the width and puts the maximum at the top", () => {
    const points = throughputPoints(
      [{ at: 0, ratePerS: 0 }, { at: 1, ratePerS: 10 }, { at: 2, ratePerS: 5 }],
      100,
      50,
    );
    expect(points).toBe("0.0,48.0 50.0,2.0 100.0,25.0");
  });
  test("no samples, no line", () => {
    expect(throughputPoints([])).toBe("");
  });
});
