// One pass over the pages against the Wispro stand-in: concurrency bounded, pages in order, resumable.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { generateClients, loadClientsFixture } from "../../../../devstack/src/wispro/clients.ts";
import {
  startWisproServer,
  type WisproRequestLogEntry,
} from "../../../../devstack/src/wispro/server.ts";
import { createWisproClient } from "./client.ts";
import { mapClientsPage } from "./map-client.ts";
import type { CustomerPage } from "../source.ts";
import { fetchClientPages, type FetchClientPagesOptions } from "./pages.ts";

/** Each raw page mapped, as the source maps the reconciled list. */
async function* customerPages(options: FetchClientPagesOptions): AsyncGenerator<CustomerPage> {
  for await (const raw of fetchClientPages(options)) {
    const { page, totalPages, totalRecords } = raw;
    yield { page, totalPages, totalRecords, ...mapClientsPage(raw.clients) };
  }
}
import { WisproGaveUp, WisproTokenRefused } from "./errors.ts";

const TOKEN = "pages-token";
const clients = generateClients(95, 21);
const server = startWisproServer({ token: TOKEN, clients });
const client = createWisproClient({
  baseUrl: server.baseUrl,
  token: TOKEN,
  timeoutMs: 2000,
  retry: { maxAttempts: 3, baseDelayMs: 40, maxDelayMs: 80 },
});

afterEach(() => {
  server.faults.reset();
  server.clearRequests();
});
afterAll(() => server.stop());

async function collect(options: Partial<FetchClientPagesOptions> = {}) {
  const pages: CustomerPage[] = [];
  for await (const page of customerPages({ client, perPage: 10, ...options })) {
    pages.push(page);
  }
  return pages;
}

/** The most requests the server had open at the same moment. */
function peakConcurrency(log: WisproRequestLogEntry[]): number {
  let peak = 0;
  for (const entry of log) {
    const open = log.filter((other) =>
      other.receivedAt <= entry.receivedAt && (other.answeredAt ?? Infinity) > entry.receivedAt
    );
    peak = Math.max(peak, open.length);
  }
  return peak;
}

describe("fetchClientPages", () => {
  test("yields every page in order with every client mapped, a few pages at a time", async () => {
    server.faults.latencyMs = 40;
    const pages = await collect({ concurrency: 3 });
    expect(pages.map((p) => p.page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(pages.every((p) => p.totalPages === 10 && p.totalRecords === 95)).toBe(true);
    const expected = mapClientsPage(clients);
    expect(pages.flatMap((p) => p.customers)).toEqual(expected.customers);
    expect(pages.flatMap((p) => p.rejects)).toEqual(expected.rejects);
    expect(expected.rejects.length).toBeGreaterThan(0);
    expect(peakConcurrency(server.requests())).toBe(3);
  });

  test("a page that finishes late still comes out in its place", async () => {
    server.faults.latencyMs = 20;
    server.faults.serverErrors(2, 503, { page: 2 });
    const pages = await collect({ concurrency: 4 });
    expect(pages.map((p) => p.page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const log = server.requests();
    const lastPage2 = log.findLast((r) => r.page === 2);
    const page3 = log.find((r) => r.page === 3);
    expect(lastPage2?.answeredAt ?? 0).toBeGreaterThan(page3?.answeredAt ?? Infinity);
  });

  test("resumes after a page: only later pages are requested", async () => {
    const pages = await collect({ afterPage: 7 });
    expect(pages.map((p) => p.page)).toEqual([8, 9, 10]);
    const last = pages.at(-1);
    expect((last?.customers.length ?? 0) + (last?.rejects.length ?? 0)).toBe(5);
    expect(Math.min(...server.requests().map((r) => r.page))).toBe(8);
  });

  test("resuming after the last page yields nothing", async () => {
    expect(await collect({ afterPage: 10 })).toEqual([]);
  });

  test("a page that keeps failing stops the stream after the pages before it", async () => {
    server.faults.serverErrors(10, 500, { page: 3 });
    const seen: number[] = [];
    const failure = await (async () => {
      for await (const page of fetchClientPages({ client, perPage: 10, concurrency: 2 })) {
        seen.push(page.page);
      }
    })().catch((e: unknown) => e);
    expect(seen).toEqual([1, 2]);
    expect(failure).toBeInstanceOf(WisproGaveUp);
    expect((failure as Error).message).toContain("page 3");
  });

  test("a refused token fails before any page is yielded", async () => {
    server.faults.bodyStatus(1, 401);
    await expect(collect()).rejects.toBeInstanceOf(WisproTokenRefused);
    expect(server.requests()).toHaveLength(1);
  });

  test("stopping early aborts the requests still in flight", async () => {
    server.faults.hang(1, { page: 3 });
    for await (const page of fetchClientPages({ client, perPage: 10, concurrency: 3 })) {
      expect(page.page).toBe(1);
      while (!server.requests().some((r) => r.page === 3)) await Bun.sleep(5);
      break;
    }
    const page3 = () => server.requests().find((r) => r.page === 3);
    expect(page3()?.outcome).toBe("hang");
    // The client's own timeout is 2 s; an answer well before it means the generator aborted the request.
    for (let i = 0; i < 50 && page3()?.answeredAt === null; i++) await Bun.sleep(10);
    expect(page3()?.answeredAt).not.toBeNull();
  });

  test("the sample fixture comes through with every id normalised and every reject explained", async () => {
    const fixture = loadClientsFixture(
      `${import.meta.dir}/../../../../devstack/src/wispro/fixtures/clients.sample.json`,
    );
    const sample = startWisproServer({ token: TOKEN, clients: fixture });
    try {
      const sampleClient = createWisproClient({ baseUrl: sample.baseUrl, token: TOKEN });
      const pages: CustomerPage[] = [];
      for await (const page of customerPages({ client: sampleClient, perPage: 3 })) {
        pages.push(page);
      }
      expect(pages.map((p) => p.page)).toEqual([1, 2, 3, 4]);
      expect(pages.flatMap((p) => p.customers).map((c) => [c.public_id, c.id_number])).toEqual([
        [101, "V-12345678"],
        [102, "V-8765432"],
        [103, "V-9876543"],
        [104, "E-84123456"],
        [105, "V-7654321"],
        [106, "J-401234567"],
        [109, "E-15678901"],
      ]);
      expect(pages.flatMap((p) => p.rejects).map((r) => [r.record_key.slice(-2), r.reason]))
        .toEqual([
          ["07", "missing_id_number"],
          ["08", "missing_id_number"],
          ["10", "invalid_record"],
        ]);
    } finally {
      await sample.stop();
    }
  });
});
