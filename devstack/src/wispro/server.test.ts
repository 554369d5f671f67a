import { afterAll, afterEach, describe, expect, test } from "bun:test";
import ky from "ky";
import { generateClients } from "./clients.ts";
import { startWisproServer } from "./server.ts";

const TOKEN = "test-token-1234";
const clients = generateClients(45, 11);
const server = startWisproServer({ token: TOKEN, clients });
const api = ky.create({
  baseUrl: `${server.baseUrl}/`,
  headers: { authorization: TOKEN, accept: "application/json" },
  retry: 0,
  throwHttpErrors: false,
});

afterEach(() => {
  server.faults.reset();
  server.clearRequests();
});
afterAll(() => server.stop());

describe("GET /api/v1/clients", () => {
  test("pages with Wispro's envelope, default 20 per page", async () => {
    const body = await api.get("clients").json<Record<string, unknown>>();
    expect(body.status).toBe(200);
    expect(body.meta).toEqual({
      pagination: { total_records: 45, total_pages: 3, per_page: 20, current_page: 1 },
    });
    expect(body.data).toEqual(clients.slice(0, 20));
  });

  test("page and per_page select the slice; past the end is an empty page", async () => {
    const third = await api.get("clients", { searchParams: { page: 3, per_page: 20 } }).json<
      { data: unknown[] }
    >();
    expect(third.data).toEqual(clients.slice(40));
    const past = await api.get("clients", { searchParams: { page: 9, per_page: 20 } }).json<
      { data: unknown[]; meta: { pagination: { current_page: number } } }
    >();
    expect(past.data).toEqual([]);
    expect(past.meta.pagination.current_page).toBe(9);
  });

  test("per_page over 1000 is a Wispro-style 400 body on HTTP 200", async () => {
    const response = await api.get("clients", { searchParams: { per_page: 1001 } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 400, meta: {} });
  });

  test("a Bearer header or a wrong token gets 401 in the body on HTTP 200", async () => {
    for (const authorization of [`Bearer ${TOKEN}`, "wrong", ""]) {
      const response = await api.get("clients", { headers: { authorization } });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        status: 401,
        meta: {},
        message: "Unauthorized",
        errors: {},
      });
    }
  });

  test("filters by national id and custom id", async () => {
    const target = clients.find((c) => c.custom_id !== "" && c.national_identification_number);
    const byId = await api.get("clients", {
      searchParams: {
        national_identification_number_eq: target?.national_identification_number ?? "",
      },
    }).json<{ data: { id: string }[] }>();
    expect(byId.data.map((c) => c.id)).toContain(target?.id ?? "(no target)");
    const byCustom = await api.get("clients", {
      searchParams: { custom_id_eq: target?.custom_id ?? "" },
    })
      .json<{ data: { id: string }[]; meta: { pagination: { total_records: number } } }>();
    expect(byCustom.data.map((c) => c.id)).toEqual([target?.id ?? ""]);
    expect(byCustom.meta.pagination.total_records).toBe(1);
  });
});

describe("faults", () => {
  test("429 with Retry-After, then 5xx, then normal", async () => {
    server.faults.rateLimit(1, 3).serverErrors(1, 502);
    const limited = await api.get("clients");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    expect((await api.get("clients")).status).toBe(502);
    expect((await api.get("clients")).status).toBe(200);
    expect(server.requests().map((r) => r.outcome)).toEqual(["rate_limit", "server_error", "ok"]);
  });

  test("body-level 401 and 402 on HTTP 200", async () => {
    server.faults.bodyStatus(1, 401).bodyStatus(1, 402);
    const first = await api.get("clients");
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ status: 401 });
    expect(await (await api.get("clients")).json()).toMatchObject({ status: 402 });
  });

  test("truncated JSON is cut mid-body", async () => {
    server.faults.truncateJson(1);
    const text = await api.get("clients").text();
    expect(text.startsWith('{"status":200')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
  });

  test("a hung request stays open until the client gives up", async () => {
    server.faults.hang(1);
    const started = performance.now();
    await expect(api.get("clients", { timeout: 200 }).text()).rejects.toThrow();
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(server.requests()[0]?.outcome).toBe("hang");
    expect((await api.get("clients")).status).toBe(200);
  });

  test("latency delays each answer", async () => {
    server.faults.latencyMs = 120;
    await api.get("clients").text();
    const [entry] = server.requests();
    expect((entry?.answeredAt ?? 0) - (entry?.receivedAt ?? 0)).toBeGreaterThanOrEqual(115);
  });

  test("page-scoped faults hit only their page", async () => {
    server.faults.serverErrors(1, 500, { page: 2 });
    expect((await api.get("clients", { searchParams: { page: 1 } })).status).toBe(200);
    expect((await api.get("clients", { searchParams: { page: 2 } })).status).toBe(500);
  });

  test("the control API injects faults from another process", async () => {
    const control = ky.create({ baseUrl: server.baseUrl.replace("/api/v1", "/"), retry: 0 });
    await control.post("_devstack/faults", { json: { bodyStatus: { count: 1, status: 402 } } });
    expect(await api.get("clients").json()).toMatchObject({ status: 402 });
    const log = await control.get("_devstack/requests").json<{ outcome: string }[]>();
    expect(log.map((r) => r.outcome)).toEqual(["body_status"]);
    await control.post("_devstack/faults", { json: { serverErrors: { count: 5 } } });
    await control.delete("_devstack/faults");
    expect((await api.get("clients")).status).toBe(200);
  });
});

describe("a client list that changes between page requests", () => {
  test("churn deletes near the start and creates at the end after each page, moving later pages", async () => {
    const local = startWisproServer({ token: TOKEN, clients: generateClients(30, 4) });
    try {
      const get = (page: number) =>
        ky.get(`${local.baseUrl}/clients`, {
          headers: { authorization: TOKEN },
          searchParams: { page, per_page: 10 },
        }).json<{ data: { id: string }[]; meta: { pagination: { total_records: number } } }>();
      const before = local.clients().map((c) => c.id);
      const control = await ky.post(`${local.baseUrl.replace("/api/v1", "")}/_devstack/churn`, {
        json: { deletes: 1, creates: 2 },
      }).json<{ deletes: number; creates: number; clients: number }>();
      expect(control).toEqual({ deletes: 1, creates: 2, clients: 30 });
      const first = await get(1);
      expect(first.data.map((c) => c.id)).toEqual(before.slice(0, 10));
      // The first client went away after page 1 was answered: page 2 now starts one client later.
      const second = await get(2);
      expect(second.data.map((c) => c.id)).toEqual(before.slice(11, 21));
      expect(second.meta.pagination.total_records).toBe(31);
      const now = local.clients();
      expect(now.length).toBe(32);
      expect(new Set(now.map((c) => c.id)).size).toBe(32);
      local.churn(null);
      await get(3);
      expect(local.clients().length).toBe(32);
    } finally {
      await local.stop();
    }
  });

  test("afterPage runs any change against the live list", async () => {
    const local = startWisproServer({ token: TOKEN, clients: generateClients(5, 4) });
    try {
      local.afterPage((list, page) =>
        list.splice(0, list.length, ...list.filter((_, i) => i !== page))
      );
      await ky.get(`${local.baseUrl}/clients`, { headers: { authorization: TOKEN } });
      expect(local.clients().length).toBe(4);
    } finally {
      await local.stop();
    }
  });
});
