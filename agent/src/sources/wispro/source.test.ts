import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWisproSource } from "./source.ts";
import { sourceOpener } from "../registry.ts";
import { Runner } from "../../run/runner.ts";
import { createEdgeClient } from "../../sink/edge-client.ts";
import { RunStateStore } from "../../run-state.ts";
import { Logger } from "../../status/log.ts";
import { AGENT_KEY, type FakeEdge, startFakeEdge } from "../../../test/fake-edge.ts";
import { startWisproServer } from "../../../../devstack/src/wispro/server.ts";
import { WisproLicenceExpired } from "./errors.ts";

const TOKEN = "wispro-token-abc";
const clients = Array.from({ length: 7 }, (_, i) => ({
  id: crypto.randomUUID(),
  public_id: i + 1,
  custom_id: "",
  name: `Cliente ${i + 1}`,
  email: null,
  phone: null,
  phone_mobile: null,
  // The fourth client has no id number: a reject, not a failure.
  national_identification_number: i === 3 ? "" : `${10_000_000 + i}`,
  details: "",
  address: null,
  city: null,
  state: null,
  zone_name: null,
  created_at: "2025-01-01T00:00:00-04:00",
  updated_at: "2025-01-02T00:00:00-04:00",
}));

let wispro: ReturnType<typeof Bun.serve>;
let edge: FakeEdge;
let dir: string;
beforeAll(() => {
  edge = startFakeEdge();
  dir = mkdtempSync(join(tmpdir(), "puente-wispro-"));
  wispro = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const url = new URL(request.url);
      if (request.headers.get("authorization") !== TOKEN) {
        return Response.json({ status: 401, meta: {}, message: "Unauthorized", errors: {} });
      }
      const page = Number(url.searchParams.get("page"));
      const perPage = Number(url.searchParams.get("per_page"));
      return Response.json({
        status: 200,
        meta: {
          pagination: {
            total_records: clients.length,
            total_pages: Math.ceil(clients.length / perPage),
            per_page: perPage,
            current_page: page,
          },
        },
        data: clients.slice((page - 1) * perPage, page * perPage),
      });
    },
  });
});
afterAll(async () => {
  await wispro.stop(true);
  await edge.stop();
  rmSync(dir, { recursive: true, force: true });
});

const options = () => ({
  baseUrl: `http://127.0.0.1:${wispro.port}/api/v1`,
  token: TOKEN,
  defaultNationality: "V" as const,
  perPage: 3,
  concurrency: 2,
});

describe("Wispro source adapter", () => {
  test("counts records; a resumed run reads and sends every client again", async () => {
    const source = createWisproSource(options());
    expect(await source.count({ mode: "full" })).toBe(7);
    const pages = [];
    const lines: string[] = [];
    for await (
      const page of source.extract({ mode: "full" }, {
        cursor: { source: "wispro", lastPage: 1 },
        signal: new AbortController().signal,
        log: (_level, message) => lines.push(message),
      })
    ) pages.push(page);
    // Pages 1 to 3 (the list may have moved since page 1 was stored), grouped into one numbered 3.
    expect(pages.map((p) => p.page)).toEqual([3]);
    expect(pages[0]!.customers.length + pages[0]!.rejects.length).toBe(7);
    expect(pages[0]!.rejects.map((r) => r.reason)).toEqual(["missing_id_number"]);
    expect(lines).toContain("resuming after page 1: every client is read again");
  });

  test("a whole run through the runner: pages grouped into one batch, total in records", async () => {
    const runner = new Runner({
      edge: createEdgeClient({ baseUrl: edge.url, agentKey: AGENT_KEY }),
      openSource: sourceOpener({ wispro: () => createWisproSource(options()) }),
      logger: new Logger({ dir: null }),
      state: new RunStateStore(join(dir, "runs.json")),
      batch: { planillas: 50, elementos: 5000, maxInFlight: 3 },
    });
    const outcome = await runner.start({ source: "wispro", params: { mode: "full" } });
    expect(outcome).toMatchObject({ status: "completed", total: 7, done: 7 });
    expect(outcome.counts.customers).toMatchObject({ created: 6, rejected: 1 });
    expect(outcome.cursor).toEqual({ source: "wispro", lastPage: 3 });
    const batches = edge.requests.filter((r) => r.path.endsWith("/batches"));
    // Three small pages fit one batch, numbered by its last page.
    expect(batches.map((b) => (b.body as { page: number }).page)).toEqual([3]);
  });

  test("all or nothing: a page that fails for good yields no page at all", async () => {
    const server = startWisproServer({ token: TOKEN, clients });
    try {
      server.faults.bodyStatus(1, 402, { page: 3 });
      const source = createWisproSource({ ...options(), baseUrl: server.baseUrl });
      const yielded: number[] = [];
      const lines: string[] = [];
      const failure = await (async () => {
        for await (
          const page of source.extract({ mode: "full" }, {
            cursor: null,
            signal: new AbortController().signal,
            log: (_level, message) => lines.push(message),
          })
        ) yielded.push(page.page);
      })().catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(WisproLicenceExpired);
      expect(yielded).toEqual([]);
      // Pages 1 and 2 were read; none was handed to the runner.
      expect(server.requests().filter((r) => r.outcome === "ok").map((r) => r.page).sort())
        .toEqual([1, 2]);
      expect(lines).not.toContain("read page 3/3 from Wispro");
    } finally {
      await server.stop();
    }
  });

  test("pages are handed over once all are read, with progress lines", async () => {
    const source = createWisproSource(options());
    const lines: string[] = [];
    const pages = [];
    for await (
      const page of source.extract({ mode: "full" }, {
        cursor: null,
        signal: new AbortController().signal,
        log: (level, message) => {
          if (level === "info") lines.push(message);
        },
      })
    ) {
      // By the time the first page is handed over, every page has been read.
      if (pages.length === 0) expect(lines.at(-1)).toContain("read 3 page(s) from Wispro");
      pages.push(page.page);
    }
    expect(pages).toEqual([3]);
    expect(lines).toEqual([
      "read page 1/3 from Wispro",
      "read page 2/3 from Wispro",
      "read page 3/3 from Wispro",
      "read 3 page(s) from Wispro: 6 client(s) to store, 1 refused; sending",
    ]);
  });
});
