import { describe, expect, test } from "bun:test";
import {
  type ApiWaiting,
  DEFAULT_OUTAGE_BUDGET_MS,
  outageDelay,
  outagePolicy,
  OutageTracker,
  waitOutOutage,
} from "./outage.ts";

class Down extends Error {}

/** A clock that only moves when the code under test sleeps. */
function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: (ms: number) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
    sleeps,
  };
}

describe("outage policy", () => {
  test("the default waits at least 30 minutes, with pauses up to a minute", () => {
    const policy = outagePolicy();
    expect(DEFAULT_OUTAGE_BUDGET_MS).toBeGreaterThanOrEqual(30 * 60_000);
    expect(policy.budgetMs).toBe(DEFAULT_OUTAGE_BUDGET_MS);
    expect(policy.maxDelayMs).toBe(60_000);
    expect(policy.baseDelayMs).toBe(5_000);
  });

  test("pauses double up to the ceiling, jittered in their upper half", () => {
    const policy = outagePolicy(60_000); // scaled down: pauses up to 2 s
    expect(policy.maxDelayMs).toBe(2_000);
    expect([1, 2, 3, 4, 5].map((a) => outageDelay(policy, a, () => 1))).toEqual([
      500,
      1000,
      2000,
      2000,
      2000,
    ]);
    expect(outageDelay(policy, 1, () => 0)).toBe(250);
  });
});

describe("waitOutOutage", () => {
  test("an outage longer than the quick retries is waited out, and reported once", async () => {
    const clock = fakeClock();
    const changes: (ApiWaiting | null)[] = [];
    const tracker = new OutageTracker((w) => changes.push(w));
    let calls = 0;
    const result = await waitOutOutage(() => {
      calls++;
      return clock.now() < 20 * 60_000
        ? Promise.reject(new Down("ECONNREFUSED"))
        : Promise.resolve("stored");
    }, {
      route: "agent/runs/x/batches",
      policy: outagePolicy(),
      tracker,
      isOutage: (e) => e instanceof Down,
      ...clock,
    });
    expect(result).toBe("stored");
    expect(calls).toBeGreaterThan(10);
    expect(changes.map((c) => c?.route ?? null)).toEqual(["agent/runs/x/batches", null]);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(60_000);
  });

  test("gives up with the last error once the budget is spent", async () => {
    const clock = fakeClock();
    const tracker = new OutageTracker();
    const failing = waitOutOutage(() => Promise.reject(new Down("still down")), {
      route: "r",
      policy: outagePolicy(60_000),
      tracker,
      isOutage: (e) => e instanceof Down,
      ...clock,
    });
    await expect(failing).rejects.toThrow("still down");
    expect(clock.now()).toBe(60_000);
    expect(tracker.current?.route).toBe("r");
  });

  test("an answer that is not an outage (a refusal) fails at once", async () => {
    const clock = fakeClock();
    const refused = waitOutOutage(() => Promise.reject(new Error("422")), {
      route: "r",
      policy: outagePolicy(),
      tracker: new OutageTracker(),
      isOutage: (e) => e instanceof Down,
      ...clock,
    });
    await expect(refused).rejects.toThrow("422");
    expect(clock.sleeps).toEqual([]);
  });
});
