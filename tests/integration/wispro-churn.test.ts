// A Wispro sync while clients are created and deleted between page requests (Wispro stand-in → agent →
// edge → gateway → Postgres): every client that exists for the whole sync lands, each client once.
import { describe, expect, test } from "bun:test";
import { newAgentHome } from "../../devstack/src/agent-process.ts";
import type { WisproClientRecord } from "../../devstack/src/wispro/clients.ts";
import { type Stack, useStack } from "./support.ts";
import {
  expectedIdNumber,
  runEvents,
  storedCustomers,
  syncWispro,
  wisproClient,
  withSql,
  writeFixture,
} from "./wispro-support.ts";

const INITIAL = Array.from({ length: 40 }, (_, i) => wisproClient(i + 1));

describe("Wispro sync under churn", () => {
  let stack: Stack;
  let home: string;

  useStack(() => ({ wisproFixture: writeFixture(INITIAL) }), (booted) => {
    home = newAgentHome();
    stack = booted;
  });

  test("clients deleted and created between pages: every lasting client stored once", async () => {
    // After each answered page: the list's first client is deleted (every later client moves back one
    // place) and a new one is created at the end.
    const created: WisproClientRecord[] = [];
    const deleted: string[] = [];
    stack.wispro.afterPage((clients) => {
      deleted.push(clients.shift()!.id);
      const fresh = wisproClient(1000 + created.length);
      created.push(fresh);
      clients.push(fresh);
    });
    let outcome;
    try {
      outcome = await syncWispro(stack, home);
    } finally {
      stack.wispro.afterPage(null);
    }
    expect(outcome.error ?? null).toBeNull();
    expect(outcome.status).toBe("completed");
    // The list really moved under the reader: eight pages of five, then the reconciling passes.
    expect(deleted.length).toBeGreaterThanOrEqual(9);

    const stored = await storedCustomers(stack);
    const lasting = INITIAL.filter((c) => !deleted.includes(c.id));
    for (const c of lasting) {
      expect({ id: c.id, idNumber: stored.get(c.id)?.id_number ?? null }).toEqual({
        id: c.id,
        idNumber: expectedIdNumber(c),
      });
    }
    // Nothing stored that never existed, and no client twice (one row per id number as well).
    const everSeen = new Set([...INITIAL, ...created].map((c) => c.id));
    expect([...stored.keys()].filter((id) => !everSeen.has(id))).toEqual([]);
    const [dup] = await withSql(
      stack,
      (sql) =>
        sql<{ n: number }[]>`select count(*)::int as n from (
        select id_number from public.customers group by id_number having count(*) > 1) d`,
    );
    expect(dup!.n).toBe(0);
    expect(outcome.counts.customers).toMatchObject({ created: stored.size, updated: 0 });
    const events = await runEvents(stack, outcome.runId);
    expect(events.some((e) => /reconciled over \d+ passes|kept changing/.test(e))).toBe(true);
  }, 120_000);
});
