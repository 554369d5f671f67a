import { describe, expect, test } from "bun:test";
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelayMs } from "./backoff.ts";

const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };

describe("retryDelayMs", () => {
  test("doubles per attempt, with jitter between half and all of the delay", () => {
    expect(retryDelayMs(1, undefined, policy, () => 0)).toBe(50);
    expect(retryDelayMs(1, undefined, policy, () => 1)).toBe(100);
    expect(retryDelayMs(3, undefined, policy, () => 0)).toBe(200);
    expect(retryDelayMs(3, undefined, policy, () => 1)).toBe(400);
  });

  test("is capped by maxDelayMs", () => {
    expect(retryDelayMs(10, undefined, policy, () => 1)).toBe(1000);
  });

  test("a Retry-After is honoured exactly, capped by maxRetryAfterMs", () => {
    expect(retryDelayMs(1, 2000, policy, () => 0)).toBe(2000);
    expect(retryDelayMs(1, 10 * 60_000, policy, () => 0)).toBe(policy.maxRetryAfterMs);
  });
});

describe("parseRetryAfter", () => {
  test("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter("0.5")).toBe(500);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now)).toBe(10_000);
  });

  test("absent or unreadable headers give undefined", () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("")).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});
