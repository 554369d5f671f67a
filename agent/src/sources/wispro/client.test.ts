// The ky client against the Wispro stand-in over real HTTP: retries, waits and errors as Wispro sends them.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { generateClients } from "../../../../devstack/src/wispro/clients.ts";
import { startWisproServer } from "../../../../devstack/src/wispro/server.ts";
import { createWisproClient, type WisproClientOptions } from "./client.ts";
import {
  type WisproError,
  WisproGaveUp,
  WisproLicenceExpired,
  WisproResponseInvalid,
  WisproTimeout,
  WisproTokenRefused,
  WisproUnreachable,
} from "./errors.ts";

const TOKEN = "s3cret-wispro-token";
const server = startWisproServer({ token: TOKEN, clients: generateClients(30, 5) });
const retries: WisproError[] = [];

/** Fast backoff so tests measure behaviour, not sleeping; Retry-After still applies in full. */
function client(overrides: Partial<WisproClientOptions> = {}) {
  return createWisproClient({
    baseUrl: server.baseUrl,
    token: TOKEN,
    timeoutMs: 2000,
    retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 10 },
    onRetry: ({ error }) => retries.push(error),
    ...overrides,
  });
}

afterEach(() => {
  server.faults.reset();
  server.clearRequests();
  retries.length = 0;
});
afterAll(() => server.stop());

describe("fetchClientsPage", () => {
  test("reads a page with the raw token and Wispro's pagination", async () => {
    const page = await client().fetchClientsPage(2, 10);
    expect(page).toMatchObject({ page: 2, perPage: 10, totalPages: 3, totalRecords: 30 });
    expect(page.clients).toHaveLength(10);
    expect(server.requests().map((r) => r.outcome)).toEqual(["ok"]);
  });

  test("a 429 waits the Retry-After the server asked for, then succeeds", async () => {
    server.faults.rateLimit(1, 1);
    const page = await client().fetchClientsPage(1, 10);
    expect(page.clients).toHaveLength(10);
    const [limited, retried] = server.requests();
    expect(limited?.outcome).toBe("rate_limit");
    expect(retried?.outcome).toBe("ok");
    // Backoff alone would wait at most 10 ms; the gap seen by the server proves Retry-After: 1 was honoured.
    expect((retried?.receivedAt ?? 0) - (limited?.answeredAt ?? 0)).toBeGreaterThanOrEqual(990);
  });

  test("5xx is retried, then succeeds", async () => {
    server.faults.serverErrors(2, 503);
    const page = await client().fetchClientsPage(1, 10);
    expect(page.clients).toHaveLength(10);
    expect(server.requests().map((r) => r.outcome)).toEqual(["server_error", "server_error", "ok"]);
    expect(retries.map((e) => e.name)).toEqual(["WisproApiError", "WisproApiError"]);
  });

  test("persistent 5xx fails clearly after the configured attempts", async () => {
    server.faults.serverErrors(10, 502);
    const failure = await client().fetchClientsPage(3, 10).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WisproGaveUp);
    expect((failure as WisproGaveUp).attempts).toBe(4);
    expect((failure as Error).message).toContain("page 3 after 4 attempts");
    expect((failure as Error).message).toContain("502");
    expect(server.requests()).toHaveLength(4);
  });

  test("a timeout is retried", async () => {
    server.faults.hang(1);
    const page = await client({ timeoutMs: 300 }).fetchClientsPage(1, 10);
    expect(page.clients).toHaveLength(10);
    expect(retries[0]).toBeInstanceOf(WisproTimeout);
    expect(server.requests().map((r) => r.outcome)).toEqual(["hang", "ok"]);
  });

  test("truncated JSON is retried", async () => {
    server.faults.truncateJson(1);
    const page = await client().fetchClientsPage(1, 10);
    expect(page.clients).toHaveLength(10);
    expect(retries[0]).toBeInstanceOf(WisproResponseInvalid);
  });

  test("a body-level 500 on HTTP 200 is retried", async () => {
    server.faults.bodyStatus(1, 500);
    await client().fetchClientsPage(1, 10);
    expect(server.requests().map((r) => r.outcome)).toEqual(["body_status", "ok"]);
  });

  test("a body-level 401 on HTTP 200 is WisproTokenRefused, not retried, and hides the token", async () => {
    server.faults.bodyStatus(3, 401);
    const failure = await client().fetchClientsPage(1, 10).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WisproTokenRefused);
    expect((failure as Error).message).toContain(
      "Wispro refused the API token: check WISPRO_API_TOKEN",
    );
    expect((failure as Error).message).not.toContain(TOKEN);
    expect(server.requests()).toHaveLength(1);
  });

  test("a body-level 402 is WisproLicenceExpired, not retried", async () => {
    server.faults.bodyStatus(3, 402);
    await expect(client().fetchClientsPage(1, 10)).rejects.toBeInstanceOf(WisproLicenceExpired);
    expect(server.requests()).toHaveLength(1);
  });

  test("a wrong token, or one sent as Bearer, is refused", async () => {
    await expect(client({ token: "nope" }).fetchClientsPage(1, 10)).rejects.toBeInstanceOf(
      WisproTokenRefused,
    );
    await expect(client({ token: `Bearer ${TOKEN}` }).fetchClientsPage(1, 10)).rejects
      .toBeInstanceOf(WisproTokenRefused);
  });

  test("an unreachable server is retried, then reported with the host", async () => {
    const gone = startWisproServer({ token: TOKEN, clients: [] });
    await gone.stop();
    const failure = await client({ baseUrl: gone.baseUrl }).fetchClientsPage(1, 10).catch((
      e: unknown,
    ) => e);
    expect(failure).toBeInstanceOf(WisproGaveUp);
    expect((failure as WisproGaveUp).cause).toBeInstanceOf(WisproUnreachable);
    expect((failure as Error).message).toContain(`127.0.0.1:${gone.port}`);
  });

  test("aborting stops a retry wait at once", async () => {
    server.faults.rateLimit(1, 30);
    const controller = new AbortController();
    const pending = client().fetchClientsPage(1, 10, controller.signal);
    while (server.requests().length === 0) await Bun.sleep(5);
    const started = performance.now();
    controller.abort(new Error("cancelled by the user"));
    await expect(pending).rejects.toThrow("cancelled by the user");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test("perPage outside 1..1000 is refused before any request", async () => {
    await expect(client().fetchClientsPage(1, 1001)).rejects.toBeInstanceOf(RangeError);
    expect(server.requests()).toHaveLength(0);
  });
});
