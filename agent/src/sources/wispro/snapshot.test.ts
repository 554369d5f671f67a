// Reading Wispro's client list while it changes, against the stand-in whose list changes between page
// requests: one offset pass skips and repeats clients; the reconciled snapshot has each exactly once.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { generateClients } from "../../../../devstack/src/wispro/clients.ts";
import { startWisproServer } from "../../../../devstack/src/wispro/server.ts";
import { createWisproClient } from "./client.ts";
import { fetchClientPages } from "./pages.ts";
import { readClientSnapshot } from "./snapshot.ts";

const TOKEN = "snapshot-token";
const initial = generateClients(120, 5);
const server = startWisproServer({ token: TOKEN, clients: initial });
const client = createWisproClient({ baseUrl: server.baseUrl, token: TOKEN, timeoutMs: 2000 });
const idOf = (c: unknown) => (c as { id: string }).id;

afterEach(() => server.churn(null));
afterAll(() => server.stop());

describe("readClientSnapshot", () => {
  test("one offset pass under churn skips clients and reads others twice", async () => {
    server.churn({ deletes: 1, creates: 1, seed: 2 });
    const seen: string[] = [];
    for await (const page of fetchClientPages({ client, perPage: 10, concurrency: 1 })) {
      seen.push(...page.clients.map(idOf));
    }
    const survivors = server.clients().map((c) => c.id).filter((id) =>
      initial.some((c) => c.id === id)
    );
    const missed = survivors.filter((id) => !seen.includes(id));
    expect(missed.length).toBeGreaterThan(0);
  });

  test("under churn, every client that exists throughout is read, and each client once", async () => {
    const before = new Set(server.clients().map((c) => c.id));
    server.churn({ deletes: 1, creates: 2, seed: 3 });
    const snapshot = await readClientSnapshot({
      client,
      perPage: 10,
      concurrency: 3,
      maxPasses: 6,
    });
    server.churn(null);
    const ids = snapshot.clients.map(idOf);
    expect(new Set(ids).size).toBe(ids.length);
    const throughout = server.clients().map((c) => c.id).filter((id) => before.has(id));
    expect(throughout.length).toBeGreaterThan(50);
    expect(throughout.filter((id) => !ids.includes(id))).toEqual([]);
    expect(snapshot.passes).toBeGreaterThan(1);
  });

  test("a list that does not move takes two passes: the read and its confirmation", async () => {
    server.clearRequests();
    const snapshot = await readClientSnapshot({ client, perPage: 25, concurrency: 2 });
    expect(snapshot).toMatchObject({ passes: 2, isSettled: true, repeated: 0 });
    expect(snapshot.clients.map(idOf)).toEqual(server.clients().map((c) => c.id));
    // The confirmation reads with per_page 1000: one request here.
    expect(server.requests().filter((r) => r.perPage === 1000).length).toBe(1);
  });

  test("a list that never settles is reported, with the union read", async () => {
    server.churn({ deletes: 1, creates: 1, seed: 4 });
    const snapshot = await readClientSnapshot({ client, perPage: 10, maxPasses: 2 });
    expect(snapshot.isSettled).toBe(false);
    const ids = snapshot.clients.map(idOf);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
