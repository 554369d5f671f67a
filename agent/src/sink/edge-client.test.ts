import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import {
  AGENT_ID,
  AGENT_KEY,
  type FakeEdge,
  PUSHER_KEY,
  startFakeEdge,
} from "../../test/fake-edge.ts";
import { PUSHER_SECRET } from "../../../edge/sync/testing.ts";
import { fakeCustomer } from "../../test/fake-sources.ts";
import { createEdgeClient } from "./edge-client.ts";
import { AgentKeyInvalid } from "../errors/agent-key-invalid.ts";
import { IngestRejected } from "../errors/ingest-rejected.ts";
import { RunConflict } from "../errors/run-conflict.ts";
import { EdgeRefused } from "../errors/edge-refused.ts";
import { EXIT_ALREADY_RUNNING, EXIT_FAILURE } from "../exit-codes.ts";
import { EdgeUnavailable } from "../errors/edge-unavailable.ts";
import { AgentOutdated } from "../errors/agent-outdated.ts";
import { outagePolicy } from "./outage.ts";

let edge: FakeEdge;
beforeAll(() => {
  edge = startFakeEdge();
});
afterAll(() => edge.stop());
afterEach(() => edge.reset());

const fast = { limit: 4, baseDelayMs: 5, backoffLimitMs: 50, maxRetryAfterMs: 5000 };
const client = (key = AGENT_KEY) =>
  createEdgeClient({ baseUrl: edge.url, agentKey: key, retry: fast, timeoutMs: 2000 });

const batch = (seq: number) => ({
  v: 1 as const,
  seq,
  kind: "customers" as const,
  rejects: [],
  customers: [fakeCustomer(1)],
});

describe("edge client", () => {
  test("sends batches gzipped with Content-Encoding: gzip and the bearer key", async () => {
    const run = await client().openRun({ source: "wispro", params: { mode: "full" } });
    const result = await client().sendBatch(run.id, batch(0));
    expect(result).toMatchObject({ seq: 0, replayed: false });
    const sent = edge.requests.find((r) => r.path.endsWith("/batches"))!;
    expect(sent.contentEncoding).toBe("gzip");
    expect((sent.body as { seq: number }).seq).toBe(0);
  });

  test("a replayed seq gets the first answer", async () => {
    const run = await client().openRun({ source: "wispro", params: { mode: "full" } });
    const first = await client().sendBatch(run.id, batch(7));
    const again = await client().sendBatch(run.id, batch(7));
    expect(again.replayed).toBe(true);
    expect(again.counts).toEqual(first.counts);
  });

  test("retries 5xx with backoff and succeeds", async () => {
    edge.fault = (r, attempt) =>
      r.path === "/agent/heartbeat" && attempt <= 2 ? { status: 503 } : null;
    await client().heartbeat({ version: "t", hostname: "h" });
    expect(edge.requests.filter((r) => r.path === "/agent/heartbeat")).toHaveLength(3);
  });

  test("retries the edge runtime's 546 WORKER_LIMIT and the gateway's 502, 503 and 504", async () => {
    const statuses = [546, 502, 503, 504];
    edge.fault = (r, attempt) =>
      r.path === "/agent/heartbeat" && attempt <= statuses.length
        ? {
          status: statuses[attempt - 1]!,
          body: { code: "WORKER_LIMIT", message: "Worker failed to boot" },
        }
        : null;
    const retried: string[] = [];
    await createEdgeClient({
      baseUrl: edge.url,
      agentKey: AGENT_KEY,
      retry: fast,
      timeoutMs: 2000,
      onRetry: (_route, _attempt, reason) => retried.push(reason),
    }).heartbeat({ version: "t", hostname: "h" });
    expect(retried).toEqual(statuses.map((s) => `HTTP ${s}`));
    expect(edge.requests.filter((r) => r.path === "/agent/heartbeat")).toHaveLength(5);
  });

  test("honours Retry-After on 429 instead of its own short backoff", async () => {
    edge.fault = (r, attempt) =>
      r.path === "/agent/heartbeat" && attempt === 1 ? { status: 429, retryAfter: "1" } : null;
    const started = Date.now();
    await client().heartbeat({ version: "t", hostname: "h" });
    const calls = edge.requests.filter((r) => r.path === "/agent/heartbeat");
    expect(calls).toHaveLength(2);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  test("gives up after the retry limit with EdgeUnavailable", async () => {
    edge.fault = (r) => r.path === "/agent/heartbeat" ? { status: 502 } : null;
    const error = await client().heartbeat({ version: "t", hostname: "h" }).catch((e) => e);
    expect(error).toBeInstanceOf(EdgeUnavailable);
    expect(edge.requests.filter((r) => r.path === "/agent/heartbeat")).toHaveLength(1 + fast.limit);
  });

  test("401 is AgentKeyInvalid, not retried, and says what to do", async () => {
    const error = await client("pk_wrong_key_0000000000000000").claimCommands().catch((e) => e);
    expect(error).toBeInstanceOf(AgentKeyInvalid);
    expect(error.message).toContain("Create a new key");
    expect(edge.requests).toHaveLength(1);
  });

  test("a 422 validation error is IngestRejected with the server's issues, not retried", async () => {
    const run = await client().openRun({ source: "wispro", params: { mode: "full" } });
    const bad = { ...batch(1), customers: [{ ...batch(1).customers[0]!, id_number: "12345678" }] };
    const error = await client().sendBatch(run.id, bad).catch((e) => e);
    expect(error).toBeInstanceOf(IngestRejected);
    expect(error.status).toBe(422);
    expect(error.issues[0].path).toContain("id_number");
    expect(edge.requests.filter((r) => r.path.endsWith("/batches"))).toHaveLength(1);
  });

  test("409 from opening a run is RunConflict with the server's code", async () => {
    await client().openRun({ source: "wispro", params: { mode: "full" } });
    const error = await client().openRun({ source: "wispro", params: { mode: "full" } }).catch((
      e,
    ) => e);
    expect(error).toBeInstanceOf(RunConflict);
    expect([error.code, error.exitCode]).toEqual(["run_active", EXIT_ALREADY_RUNNING]);
  });

  test("a 409 is told apart by its code, never by its words", async () => {
    edge.fault = (r) =>
      r.path.endsWith("/batches")
        ? {
          status: 409,
          // The words say "another run is active"; the code says this run stopped.
          body: {
            error: { code: "run_not_running", message: "another run of this source is active" },
          },
        }
        : null;
    const run = await client().openRun({ source: "wispro", params: { mode: "full" } });
    const error = await client().sendBatch(run.id, batch(1)).catch((e) => e);
    expect(error).toBeInstanceOf(RunConflict);
    expect([error.code, error.isAlreadyRunning, error.exitCode]).toEqual([
      "run_not_running",
      false,
      EXIT_FAILURE,
    ]);
  });

  test("a 4xx from claim or heartbeat is EdgeRefused, not IngestRejected", async () => {
    edge.fault = (r) =>
      r.path === "/agent/commands/claim" || r.path === "/agent/heartbeat"
        ? { status: 404, body: { error: { code: "not_found", message: "no such route" } } }
        : null;
    for (
      const call of [
        () => client().claimCommands(),
        () => client().heartbeat({ version: "0.0.0", hostname: "pc", activeRunId: null }),
      ]
    ) {
      const error = await call().catch((e) => e);
      expect(error).toBeInstanceOf(EdgeRefused);
      expect(error).not.toBeInstanceOf(IngestRejected);
      expect([error.status, error.serverCode]).toEqual([404, "not_found"]);
    }
  });

  test("channel authorization posts the form pusher-js would send; the edge signs it", async () => {
    const channel = `private-agent-${AGENT_ID}`;
    const auth = await client().authorizeChannel("1234.5678", channel);
    const signature = createHmac("sha256", PUSHER_SECRET).update(`1234.5678:${channel}`)
      .digest("hex");
    expect(auth.auth).toBe(`${PUSHER_KEY}:${signature}`);
    // Another agent's channel is refused.
    const other = await client().authorizeChannel("1234.5678", "private-agent-x").catch((e) => e);
    expect(other).toBeInstanceOf(EdgeRefused);
  });

  test("probe reads the server's Date header", async () => {
    const probe = await client().probe();
    expect(probe.status).toBe(200);
    expect(Math.abs(probe.serverDate!.getTime() - Date.now())).toBeLessThan(5000);
  });
});

describe("edge client over a flaky network", () => {
  test("retries connections that drop without an answer, then succeeds", async () => {
    let connections = 0;
    const body = JSON.stringify({ v: 1, commands: [] });
    const server = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        data(socket) {
          connections++;
          if (connections <= 2) {
            socket.end();
            return;
          }
          socket.end(
            `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
          );
        },
      },
    });
    try {
      const flaky = createEdgeClient({
        baseUrl: `http://127.0.0.1:${server.port}/functions/v1/sync`,
        agentKey: AGENT_KEY,
        retry: fast,
      });
      expect(await flaky.claimCommands()).toEqual([]);
      expect(connections).toBe(3);
    } finally {
      server.stop(true);
    }
  });

  test("a batch outlasts an outage longer than its retries; the client says it is waiting", async () => {
    const run = await client().openRun({ source: "wispro", params: { mode: "full" } });
    // 503 for far more attempts than ky's 4 retries: only the outage wait gets it through.
    edge.fault = (r, attempt) =>
      r.path.endsWith("/batches") && attempt <= 15 ? { status: 503 } : null;
    const waiting: (string | null)[] = [];
    const patient = createEdgeClient({
      baseUrl: edge.url,
      agentKey: AGENT_KEY,
      retry: fast,
      timeoutMs: 2000,
      outage: { budgetMs: 20_000, baseDelayMs: 10, maxDelayMs: 40 },
      onWaiting: (w) => waiting.push(w ? w.route : null),
    });
    const result = await patient.sendBatch(run.id, batch(3));
    expect(result).toMatchObject({ seq: 3, replayed: false });
    expect(edge.requests.filter((r) => r.path.endsWith("/batches"))).toHaveLength(16);
    expect(waiting).toEqual([`agent/runs/${run.id}/batches`, null]);
    expect(patient.waiting).toBeNull();
    // A heartbeat is not essential: it fails after its retries, it does not wait.
    edge.fault = (r) => r.path === "/agent/heartbeat" ? { status: 503 } : null;
    await expect(patient.heartbeat({ version: "t", hostname: "h" })).rejects.toBeInstanceOf(
      EdgeUnavailable,
    );
  });

  test("the outage budget is a ceiling: past it the batch fails with EdgeUnavailable", async () => {
    const run = await client().openRun({ source: "wispro", params: { mode: "full" } });
    edge.fault = (r) => r.path.endsWith("/batches") ? { status: 503 } : null;
    const impatient = createEdgeClient({
      baseUrl: edge.url,
      agentKey: AGENT_KEY,
      retry: fast,
      outage: outagePolicy(300),
    });
    await expect(impatient.sendBatch(run.id, batch(0))).rejects.toBeInstanceOf(EdgeUnavailable);
  });

  test("every message carries v; a 426 from the API becomes AgentOutdated: update the agent", async () => {
    await client().heartbeat({ version: "t", hostname: "h" });
    expect(edge.requests.at(-1)!.body).toMatchObject({ v: 1 });
    edge.fault = (r) =>
      r.path === "/agent/heartbeat"
        ? {
          status: 426,
          body: {
            error: {
              code: "protocol_unsupported",
              message: "this API speaks protocol v2 and no longer v1: update the agent",
            },
          },
        }
        : null;
    const error = await client().heartbeat({ version: "t", hostname: "h" }).catch((e) => e);
    expect(error).toBeInstanceOf(AgentOutdated);
    expect(error.message).toContain("update the agent");
    expect(error.message).toContain("puente-agent upgrade");
    expect(edge.requests.filter((r) => r.path === "/agent/heartbeat")).toHaveLength(2);
  });
});
