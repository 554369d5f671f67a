import { expect, test } from "bun:test";
import { WisproFaults } from "./faults.ts";

test("faults are consumed in order, one per request, and page-scoped ones wait for their page", () => {
  const faults = new WisproFaults().rateLimit(1, 2).serverErrors(1, 500, { page: 3 }).hang(1);
  expect(faults.pending).toBe(3);
  expect(faults.take(1)).toEqual({ kind: "rate_limit", retryAfterS: 2 });
  expect(faults.take(2)).toEqual({ kind: "hang" });
  expect(faults.take(2)).toBeNull();
  expect(faults.take(3)).toEqual({ kind: "server_error", status: 500 });
  expect(faults.pending).toBe(0);
});

test("reset clears pending faults and latency", () => {
  const faults = new WisproFaults().truncateJson(2).bodyStatus(1, 402);
  faults.latencyMs = 100;
  faults.reset();
  expect(faults.pending).toBe(0);
  expect(faults.latencyMs).toBe(0);
  expect(faults.take(1)).toBeNull();
});
