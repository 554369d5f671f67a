// A Wispro sync through the whole system: Wispro stand-in → agent → edge → gateway → Postgres.
// Tricky records must land exactly as the customers matching rules say, reruns change nothing,
// re-created people take over their row, and API faults either heal or fail cleanly.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { newAgentHome } from "../../devstack/src/agent-process.ts";
import { loadClientsFixture, type WisproClientRecord } from "../../devstack/src/wispro/clients.ts";
import { startWisproServer, type WisproServer } from "../../devstack/src/wispro/server.ts";
import { bootStack, type Stack, useStack } from "./support.ts";
import {
  customersChecksum,
  expectedIdNumber,
  storedCustomers,
  syncWispro as sync,
  wisproClient as client,
  withSql,
  writeFixture,
} from "./wispro-support.ts";

/** The first fixture: tricky ids, a shared email, a client without an id number. */
const FIRST: WisproClientRecord[] = [
  client(1, { national_identification_number: "12.345.678" }),
  client(2, { national_identification_number: "V-8765432" }),
  client(3, { national_identification_number: "23456789", details: "E" }),
  client(4, { email: "familia@example.com", national_identification_number: "9.111.222" }),
  client(5, { email: "familia@example.com", national_identification_number: "9111333" }),
  client(6, { national_identification_number: null }),
  client(7, { national_identification_number: "15000007" }),
  client(8, { national_identification_number: "15000008" }),
  ...Array.from({ length: 6 }, (_, i) => client(10 + i, {})),
];

/** The second fixture: client 7 re-created with a new uuid, client 8's id number edited. */
const RECREATED_ID = "7a000000-0000-4000-8000-000000000999";
const SECOND: WisproClientRecord[] = FIRST.flatMap((c) => {
  if (c.public_id === 507) {
    return [{ ...c, id: RECREATED_ID, public_id: 999, name: "Cliente 7 (recreado)" }];
  }
  if (c.public_id === 508) {
    return [{
      ...c,
      national_identification_number: "15000099",
      updated_at: "2025-01-01T10:00:00.000-04:00",
    }];
  }
  return [c];
});

/** Rows as the matching tests compare them: wispro uuid, id number and email. */
async function customers(stack: Stack) {
  const rows = await storedCustomers(stack);
  return new Map(
    [...rows].map(([key, row]) => [key, {
      wispro_id: row.wispro_id,
      id_number: row.id_number,
      email: row.email,
    }]),
  );
}

function rejects(stack: Stack, runId: string) {
  return withSql(stack, (sql) =>
    sql<{ record_key: string; reason: string }[]>`
      select record_key, reason from public.run_rejects where run_id = ${runId}`);
}

/** An md5 of every customers row without last_run_id, which a run stamps even on unchanged rows. */
function customersContent(stack: Stack): Promise<string> {
  return withSql(stack, async (sql) => {
    const [row] = await sql<{ sum: string }[]>`
      select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as sum
      from (select to_jsonb(c) - 'last_run_id' as t from public.customers c) as s`;
    return String(row?.sum);
  });
}

function lastRunIds(stack: Stack): Promise<string[]> {
  return withSql(stack, async (sql) => {
    const rows = await sql<{ id: string }[]>`
      select distinct last_run_id::text as id from public.customers`;
    return rows.map((r) => r.id);
  });
}

describe("Wispro sync: first run and unchanged rerun", () => {
  let stack: Stack;
  let home: string;

  useStack(() => ({ wisproFixture: writeFixture(FIRST, "first.json") }), (booted) => {
    home = newAgentHome();
    stack = booted;
  });

  test("the first sync lands every record as the matching rules say", async () => {
    const outcome = await sync(stack, home);
    expect(outcome.status).toBe("completed");
    const stored = await customers(stack);
    const valid = FIRST.filter((c) => expectedIdNumber(c) !== null);
    expect(stored.size).toBe(valid.length);
    for (const c of valid) {
      expect({ id: c.id, ...stored.get(c.id) }).toEqual({
        id: c.id,
        wispro_id: c.id,
        id_number: expectedIdNumber(c)!,
        email: c.email,
      });
    }
    expect(stored.get(FIRST[0]!.id)?.id_number).toBe("V-12345678");
    expect(stored.get(FIRST[2]!.id)?.id_number).toBe("E-23456789");
    const c = outcome.counts.customers!;
    expect(c.created).toBe(valid.length);
    expect(c.rejected).toBe(1);
    expect(c.created + c.rejected).toBe(FIRST.length);
    const rows = [...(await rejects(stack, outcome.runId))];
    expect(rows).toEqual([{ record_key: FIRST[5]!.id, reason: "missing_id_number" }]);
  }, 120_000);

  test("a rerun with no changes counts everything unchanged and changes no row", async () => {
    const before = await customersChecksum(stack);
    const contentBefore = await customersContent(stack);
    expect(before).toBeDefined();
    const outcome = await sync(stack, home);
    expect(outcome.status).toBe("completed");
    const c = outcome.counts.customers!;
    expect({ created: c.created, updated: c.updated, rejected: c.rejected }).toEqual({
      created: 0,
      updated: 0,
      rejected: 1,
    });
    expect(c.unchanged).toBe(FIRST.length - 1);
    // ingest_customers stamps last_run_id on unchanged rows on purpose (the re-created-person rule
    // reads it), so the whole-row checksum moves; every other column must stay byte-identical.
    expect(await customersContent(stack)).toBe(contentBefore);
    const stamps = await lastRunIds(stack);
    expect(stamps).toEqual([outcome.runId]);
  }, 120_000);
});

describe("Wispro sync: changes between syncs", () => {
  let stack: Stack;
  let home: string;
  let secondWispro: WisproServer;

  beforeAll(async () => {
    home = newAgentHome();
    stack = await bootStack({ wisproFixture: writeFixture(FIRST, "first.json") });
    // The same database, a second Wispro whose data has moved on since the first sync.
    secondWispro = startWisproServer({
      token: stack.info.wispro.token,
      clients: loadClientsFixture(writeFixture(SECOND, "second.json")),
    });
  }, 180_000);

  afterAll(async () => {
    await secondWispro?.stop();
    await stack?.stop();
  });

  test("a re-created person takes over the row; an edited id number is not applied", async () => {
    expect((await sync(stack, home)).status).toBe("completed");
    const before = await customers(stack);
    const seven = FIRST.find((c) => c.public_id === 507)!;
    const eight = FIRST.find((c) => c.public_id === 508)!;
    expect(before.get(seven.id)?.id_number).toBe("V-15000007");

    const outcome = await sync(stack, home, { WISPRO_API_URL: secondWispro.baseUrl });
    expect(outcome.status).toBe("completed");
    const after = await customers(stack);
    expect(after.size).toBe(before.size);
    expect(after.has(seven.id)).toBe(false);
    expect(after.get(RECREATED_ID)).toEqual({
      wispro_id: RECREATED_ID,
      id_number: "V-15000007",
      email: seven.email,
    });
    expect(after.get(eight.id)?.id_number).toBe("V-15000008");
    const c = outcome.counts.customers!;
    expect({ created: c.created, updated: c.updated, rejected: c.rejected }).toEqual({
      created: 0,
      updated: 2,
      rejected: 1,
    });
  }, 180_000);

  test(
    "an id number two new clients share on different pages: both refused, the rest lands",
    async () => {
      const twins = [
        client(41, { national_identification_number: "31.000.001" }),
        ...Array.from({ length: 9 }, (_, i) => client(42 + i, {})),
        client(51, { national_identification_number: "V-31000001" }),
      ];
      const third = startWisproServer({ token: stack.info.wispro.token, clients: twins });
      try {
        const outcome = await sync(stack, home, { WISPRO_API_URL: third.baseUrl });
        expect(outcome.status).toBe("completed");
        expect(outcome.counts.customers).toMatchObject({ created: 9, rejected: 2 });
        const stored = await customers(stack);
        expect(stored.has(twins[0]!.id) || stored.has(twins[10]!.id)).toBe(false);
        expect(
          [...await rejects(stack, outcome.runId)].sort((a, b) =>
            a.record_key.localeCompare(b.record_key)
          ),
        ).toEqual([
          { record_key: twins[0]!.id, reason: "ambiguous_match" },
          { record_key: twins[10]!.id, reason: "ambiguous_match" },
        ]);
      } finally {
        await third.stop();
      }
    },
    120_000,
  );
});

describe("Wispro sync under API faults", () => {
  let stack: Stack;
  let home: string;

  useStack(() => ({ wisproFixture: writeFixture(FIRST, "first.json") }), (booted) => {
    home = newAgentHome();
    stack = booted;
  });

  test("a 429 and two 5xx answers are retried and the run lands exactly", async () => {
    stack.wispro.clearRequests();
    stack.wispro.faults.rateLimit(1, 1);
    stack.wispro.faults.serverErrors(2);
    const outcome = await sync(stack, home);
    stack.wispro.faults.reset();
    // The faults took the first three answers; every later request (3+ pages of 5) succeeded.
    const seen = stack.wispro.requests().map((r) => r.outcome);
    expect(seen.slice(0, 3)).toEqual(["rate_limit", "server_error", "server_error"]);
    expect(seen.length).toBeGreaterThanOrEqual(6);
    expect(seen.slice(3).every((o) => o === "ok")).toBe(true);
    expect(outcome.status).toBe("completed");
    const stored = await customers(stack);
    const valid = FIRST.filter((c) => expectedIdNumber(c) !== null);
    expect(stored.size).toBe(valid.length);
    for (const c of valid) expect(stored.get(c.id)?.id_number).toBe(expectedIdNumber(c)!);
    expect(outcome.counts.customers!.created).toBe(valid.length);
    expect(outcome.counts.customers!.rejected).toBe(1);
  }, 120_000);

  test(
    "a body-level 401 on HTTP 200 fails the run, names the token, and writes nothing",
    async () => {
      const before = await customersChecksum(stack);
      stack.wispro.faults.bodyStatus(1, 401);
      const outcome = await sync(stack, home);
      stack.wispro.faults.reset();
      expect(outcome.status).toBe("failed");
      expect(outcome.error?.message).toMatch(/WISPRO_API_TOKEN/);
      expect(outcome.done).toBe(0);
      expect(await customersChecksum(stack)).toBe(before);
    },
    120_000,
  );
});
