import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { type FaultProxy, startFaultProxy } from "./fault-proxy.ts";

// An upstream that counts what it received and echoes it back.
let upstream: Server;
let received: { method: string; path: string; body: Buffer; encoding?: string }[] = [];
let proxy: FaultProxy;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      received.push({
        method: req.method ?? "",
        path: req.url ?? "",
        body,
        encoding: req.headers["content-encoding"] as string | undefined,
      });
      res.writeHead(201, { "content-type": "application/json", "x-upstream": "yes" });
      res.end(JSON.stringify({ n: received.length, bytes: body.length }));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
  const port = (upstream.address() as AddressInfo).port;
  proxy = await startFaultProxy({ target: `http://127.0.0.1:${port}` });
});

afterAll(async () => {
  await proxy?.stop();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

beforeEach(() => {
  received = [];
  proxy.setPlan(null);
});

const post = (path: string, body: BodyInit = "{}", signal?: AbortSignal) =>
  fetch(`${proxy.url}${path}`, { method: "POST", body, signal });

describe("fault proxy", () => {
  test("passes requests and answers through untouched, gzip bodies included", async () => {
    const raw = gzipSync(Buffer.from(JSON.stringify({ rows: [1, 2, 3] })));
    const res = await fetch(`${proxy.url}/sync/batches?x=1`, {
      method: "POST",
      body: raw,
      headers: { "content-encoding": "gzip" },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-upstream")).toBe("yes");
    expect(await res.json()).toEqual({ n: 1, bytes: raw.length });
    expect(received[0]?.path).toBe("/sync/batches?x=1");
    expect(received[0]?.encoding).toBe("gzip");
    expect(received[0]?.body.equals(raw)).toBe(true);
  });

  test("status answers 503 without reaching the server", async () => {
    proxy.setPlan({ faults: ["status"], next: 2 });
    expect((await post("/a")).status).toBe(503);
    expect((await post("/a")).status).toBe(503);
    expect((await post("/a")).status).toBe(201);
    expect(received.length).toBe(1);
    expect(proxy.stats().faulted.status).toBeGreaterThanOrEqual(2);
  });

  test("drop resets the connection and the server never sees the request", async () => {
    proxy.setPlan({ faults: ["drop"], next: 1 });
    await expect(post("/a")).rejects.toThrow();
    expect(received.length).toBe(0);
  });

  test("lost_response lands the request but the client sees a broken connection", async () => {
    proxy.setPlan({ faults: ["lost_response"], next: 1 });
    await expect(post("/a", '{"k":1}')).rejects.toThrow();
    expect(received.length).toBe(1);
    expect(received[0]?.body.toString()).toBe('{"k":1}');
  });

  test("duplicate delivers twice and answers with the second result", async () => {
    proxy.setPlan({ faults: ["duplicate"], next: 1 });
    const res = await post("/a");
    expect(await res.json()).toEqual({ n: 2, bytes: 2 });
    expect(received.length).toBe(2);
  });

  test("hang never answers until the client gives up", async () => {
    proxy.setPlan({ faults: ["hang"], next: 1 });
    await expect(post("/a", "{}", AbortSignal.timeout(200))).rejects.toThrow();
    expect(received.length).toBe(0);
    expect((await post("/a")).status).toBe(201);
  });

  test("paths and methods limit which requests are eligible", async () => {
    proxy.setPlan({ faults: ["status"], next: 1, paths: ["/sync/batches"], methods: ["POST"] });
    expect((await post("/sync/heartbeat")).status).toBe(201);
    expect((await fetch(`${proxy.url}/sync/batches`)).status).toBe(201);
    expect((await post("/sync/batches")).status).toBe(503);
  });

  test("rate faults a seeded, reproducible share of requests", async () => {
    const outcomes = async () => {
      proxy.setPlan({ faults: ["status"], rate: 0.5, seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await post("/a")).status);
      return statuses;
    };
    const first = await outcomes();
    const second = await outcomes();
    expect(first).toEqual(second);
    const faulted = first.filter((s) => s === 503).length;
    expect(faulted).toBeGreaterThan(5);
    expect(faulted).toBeLessThan(35);
  });
});
