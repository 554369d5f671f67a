// Every Wispro fault kind through the whole system (Wispro stand-in → agent → edge → gateway →
// Postgres) ends in one of two ways: a completed run whose data is exact, or a failed run with a
// clear message and nothing written. "Nothing written" is checked on the whole customers table (an
// md5 that moves if any batch lands, since a batch stamps last_run_id even on unchanged rows) and on
// the run's ingest_batches and run_rejects.
//
// The agent fetches and validates every page before it sends the first batch, so a fault on the last
// page cannot leave the first pages landed. The failing faults below sit on the LAST page on purpose.
import { describe, expect, test } from "bun:test";
import { newAgentHome } from "../../devstack/src/agent-process.ts";
import { type Stack, useStack } from "./support.ts";
import {
  customersChecksum,
  expectExactly,
  runEvents,
  runRecord,
  syncWispro,
  wisproClient,
  writeFixture,
} from "./wispro-support.ts";

/** 14 clients, 3 pages of 5: tricky ids, a shared email, one without an id number. */
const CLIENTS = [
  wisproClient(1, { national_identification_number: "12.345.678" }),
  wisproClient(2, { national_identification_number: "V-8765432" }),
  wisproClient(3, { national_identification_number: "23456789", details: "E" }),
  wisproClient(4, { email: "familia@example.com", national_identification_number: "9.111.222" }),
  wisproClient(5, { email: "familia@example.com", national_identification_number: "9111333" }),
  wisproClient(6, { national_identification_number: null }),
  ...Array.from({ length: 8 }, (_, i) => wisproClient(10 + i)),
];
const LAST_PAGE = 3;
/** A short per-attempt timeout, so a hanging page costs a second, not WISPRO_TIMEOUT_SECONDS' 30. */
const FAST = { WISPRO_TIMEOUT_SECONDS: "1" };

describe("Wispro sync under faults that heal", () => {
  let stack: Stack;
  let home: string;

  useStack(() => ({ wisproFixture: writeFixture(CLIENTS) }), (booted) => {
    home = newAgentHome();
    stack = booted;
  });

  test("a page that hangs past the timeout is asked again and the run lands exactly", async () => {
    stack.wispro.clearRequests();
    stack.wispro.faults.hang(1, { page: 2 });
    const outcome = await syncWispro(stack, home, FAST);
    stack.wispro.faults.reset();
    expect(outcome.error ?? null).toBeNull();
    expect(outcome.status).toBe("completed");
    const page2 = stack.wispro.requests().filter((r) => r.page === 2 && r.perPage === 5);
    expect(page2.map((r) => r.outcome)).toEqual(["hang", "ok"]);
    await expectExactly(stack, CLIENTS, expect);
    expect(outcome.counts.customers).toMatchObject({ created: 13, rejected: 1 });
    // The panel's log shows the retry and the page progress.
    const events = await runEvents(stack, outcome.runId);
    expect(events.some((e) => /did not answer clients page 2 .*retrying/.test(e))).toBe(true);
    expect(events).toContain("wispro: read page 3/3 from Wispro");
  }, 60_000);

  test("truncated JSON is asked again and the rerun lands exactly, all unchanged", async () => {
    stack.wispro.clearRequests();
    stack.wispro.faults.truncateJson(2, { page: LAST_PAGE });
    const outcome = await syncWispro(stack, home, FAST);
    stack.wispro.faults.reset();
    expect(outcome.status).toBe("completed");
    const last = stack.wispro.requests().filter((r) => r.page === LAST_PAGE);
    expect(last.map((r) => r.outcome)).toEqual(["truncated_json", "truncated_json", "ok"]);
    await expectExactly(stack, CLIENTS, expect);
    expect(outcome.counts.customers).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: 13,
      rejected: 1,
    });
  }, 60_000);
});

describe("Wispro sync under faults that do not heal: a failed run, nothing written", () => {
  let stack: Stack;
  let home: string;

  useStack(() => ({ wisproFixture: writeFixture(CLIENTS) }), (booted) => {
    home = newAgentHome();
    stack = booted;
  });

  /** Runs a sync with `arrange` in force and checks the failure left every table as it was. */
  async function failedSync(arrange: () => void, env: Record<string, string> = {}) {
    const before = await customersChecksum(stack);
    stack.wispro.clearRequests();
    arrange();
    const outcome = await syncWispro(stack, home, { ...FAST, ...env });
    stack.wispro.faults.reset();
    expect(outcome.status).toBe("failed");
    expect(outcome.done).toBe(0);
    expect(await customersChecksum(stack)).toBe(before);
    const record = await runRecord(stack, outcome.runId);
    expect(record).toMatchObject({ status: "failed", batches: 0, rejects: 0 });
    expect(record.error).toBe(outcome.error?.message ?? "");
    return outcome;
  }

  test("a body-level 402 on HTTP 200 says the Wispro account needs payment", async () => {
    const outcome = await failedSync(() =>
      stack.wispro.faults.bodyStatus(1, 402, { page: LAST_PAGE })
    );
    expect(outcome.error?.message).toMatch(/402/);
    expect(outcome.error?.message).toMatch(/needs payment/);
    // Not retried: the same answer would come back until someone pays.
    expect(stack.wispro.requests().filter((r) => r.page === LAST_PAGE)).toHaveLength(1);
  }, 60_000);

  test("a page that never answers fails after every attempt timed out", async () => {
    const outcome = await failedSync(() => stack.wispro.faults.hang(10, { page: LAST_PAGE }));
    expect(outcome.error?.message).toContain(`Gave up on Wispro clients page ${LAST_PAGE}`);
    expect(outcome.error?.message).toContain("did not answer");
    const attempts = stack.wispro.requests().filter((r) => r.page === LAST_PAGE);
    expect(attempts.map((r) => r.outcome)).toEqual(Array(5).fill("hang"));
  }, 90_000);

  test("JSON that stays truncated fails with what was wrong", async () => {
    const outcome = await failedSync(() =>
      stack.wispro.faults.truncateJson(10, { page: LAST_PAGE })
    );
    expect(outcome.error?.message).toContain(`Gave up on Wispro clients page ${LAST_PAGE}`);
    expect(outcome.error?.message).toContain("not complete JSON");
  }, 90_000);

  test("after the faults clear, the same sync lands exactly", async () => {
    const outcome = await syncWispro(stack, home, FAST);
    expect(outcome.status).toBe("completed");
    await expectExactly(stack, CLIENTS, expect);
  }, 60_000);
});
