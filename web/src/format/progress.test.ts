import { describe, expect, test } from "bun:test";
import {
  displayRate,
  etaSeconds,
  formatAgo,
  formatDuration,
  formatRate,
  formatRelative,
  percent,
} from "./progress.ts";

describe("rate", () => {
  test("one decimal below 10/s, whole numbers above, localized", () => {
    expect(formatRate(2.345, "es")).toBe("2,3/s");
    expect(formatRate(2.345, "en")).toBe("2.3/s");
    expect(formatRate(1234.6, "es")).toBe("1235/s");
    expect(formatRate(1234.6, "en")).toBe("1,235/s");
  });
  test("unknown rate is a dash", () => {
    expect(formatRate(null, "es")).toBe("—");
    expect(formatRate(Number.NaN, "en")).toBe("—");
    expect(formatRate(-1, "en")).toBe("—");
  });
});

describe("ETA", () => {
  test("remaining over rate, rounded up", () => {
    expect(etaSeconds(10, 100, 3)).toBe(30);
    expect(etaSeconds(0, 10, 4)).toBe(3);
  });
  test("unknown without total or rate; zero when done", () => {
    expect(etaSeconds(10, null, 3)).toBeNull();
    expect(etaSeconds(10, 100, null)).toBeNull();
    expect(etaSeconds(10, 100, 0)).toBeNull();
    expect(etaSeconds(120, 100, 5)).toBe(0);
  });
  test("durations read naturally", () => {
    expect(formatDuration(45)).toBe("45 s");
    expect(formatDuration(60)).toBe("1 min");
    expect(formatDuration(200)).toBe("3 min 20 s");
    expect(formatDuration(7500)).toBe("2 h 05 min");
    expect(formatDuration(null)).toBe("—");
  });
});

describe("percent and relative time", () => {
  test("percent is clamped and needs a total", () => {
    expect(percent(50, 200)).toBe(25);
    expect(percent(300, 200)).toBe(100);
    expect(percent(1, null)).toBeNull();
    expect(percent(0, 0)).toBeNull();
  });
  test("past and future in both languages", () => {
    const now = Date.parse("2026-11-23T10:00:00Z");
    expect(formatRelative("2026-11-23T09:59:55Z", now, "es")).toBe("hace 5 s");
    expect(formatRelative("2026-11-23T09:59:55Z", now, "en")).toBe("5 s ago");
    expect(formatRelative("2026-11-23T10:03:00Z", now, "es")).toBe("en 3 min");
    expect(formatRelative(null, now, "es")).toBe("—");
  });
});

describe("formatAgo and displayRate", () => {
  const now = Date.parse("2026-11-23T10:00:00Z");
  test("a timestamp slightly ahead of this clock reads 'ahora', not a future time", () => {
    expect(formatAgo("2026-11-23T10:00:00.800Z", now, "es")).toBe("ahora");
    expect(formatAgo("2026-11-23T10:00:00.400Z", now, "en")).toBe("just now");
    expect(formatAgo("2026-11-23T09:59:55Z", now, "es")).toBe("hace 5 s");
    expect(formatAgo(null, now, "es")).toBe("—");
  });
  test("a finished run shows its average speed, a live one its current speed", () => {
    const base = { done: 1200, ratePerS: 0, startedAt: "2026-11-23T09:59:00Z" };
    expect(displayRate({ ...base, finishedAt: "2026-11-23T10:00:00Z" })).toBe(20);
    expect(displayRate({ ...base, ratePerS: 35, finishedAt: null })).toBe(35);
    expect(displayRate({ ...base, startedAt: null, finishedAt: "2026-11-23T10:00:00Z" })).toBe(0);
  });
});
