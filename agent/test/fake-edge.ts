// A small in-memory edge for the agent's tests: the agent routes of ARCHITECTURE §7 with their contract
// (bearer key, zod validation with the error envelope, gzip batches, replayed seq answers the first
// result, one running run per agent, 409 otherwise), plus fault injection per request.
import { gunzipSync } from "node:zlib";
import {
  type BatchResult,
  type ClaimedCommand,
  ClaimRequest,
  describeIssues,
  Heartbeat,
  IngestBatch,
  RunFinish,
  RunOpenRequest,
  RunProgress,
  type RunSummary,
} from "@puente/protocol";
import type { z } from "zod";

export const AGENT_ID = "6f1c2d7e-4b0a-4c1e-9a55-1d2b3c4d5e6f";
export const AGENT_KEY = "pk_test_0123456789abcdef0123456789abcdef";

/** What the fake does with one request, decided by the test. */
export type Fault =
  | { status: number; retryAfter?: string; body?: unknown }
  | { delayMs: number }
  | null;

export interface FakeEdgeRequest {
  method: string;
  path: string;
  at: number;
  body: unknown;
  contentEncoding: string | null;
}

export interface FakeEdge {
  url: string;
  requests: FakeEdgeRequest[];
  runs: Map<string, RunSummary>;
  /** Stored records by key (planilla code or wispro_id) with the run that last wrote them. */
  stored: Map<string, { runId: string; seq: number }>;
  /** seq numbers a run reused with a different body (a resumed run must never do this). */
  seqReuses: string[];
  heartbeats: unknown[];
  pending: ClaimedCommand[];
  /** Called for every request before it is handled; a non-null answer replaces or delays it. */
  fault: (request: FakeEdgeRequest, attempt: number) => Fault;
  /** Forgets everything (runs, requests, attempts, faults) between tests. */
  reset(): void;
  stop(): Promise<void>;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });

const invalid = (error: z.ZodError) =>
  json(422, {
    error: {
      code: "validation_failed",
      message: "the request is invalid",
      issues: describeIssues(error),
    },
  });

export function startFakeEdge(): FakeEdge {
  const runs = new Map<string, RunSummary>();
  const batchAnswers = new Map<string, { result: BatchResult; body: string }>();
  const attempts = new Map<string, number>();
  const edge: Omit<FakeEdge, "url" | "stop" | "reset"> = {
    requests: [],
    runs,
    stored: new Map(),
    seqReuses: [],
    heartbeats: [],
    pending: [],
    fault: () => null,
  };

  const handle = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/functions\/v1\/sync/, "");
    const encoding = request.headers.get("content-encoding");
    let raw = new Uint8Array(await request.arrayBuffer());
    if (encoding === "gzip") raw = new Uint8Array(gunzipSync(raw));
    const text = new TextDecoder().decode(raw);
    let body: unknown = null;
    if (request.headers.get("content-type")?.includes("application/x-www-form-urlencoded")) {
      body = Object.fromEntries(new URLSearchParams(text));
    } else if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        return json(400, { error: { code: "invalid_json", message: "body is not JSON" } });
      }
    }
    const seen: FakeEdgeRequest = {
      method: request.method,
      path,
      at: Date.now(),
      body,
      contentEncoding: encoding,
    };
    edge.requests.push(seen);
    const key = `${request.method} ${path} ${JSON.stringify(body)?.slice(0, 200)}`;
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const fault = edge.fault(seen, attempt);
    if (fault && "delayMs" in fault) await Bun.sleep(fault.delayMs);
    else if (fault) {
      return json(
        fault.status,
        fault.body ?? { error: { code: "internal", message: "injected failure" } },
        fault.retryAfter ? { "retry-after": fault.retryAfter } : {},
      );
    }

    if (path === "/health") return json(200, { ok: true, version: "fake" });
    if (request.headers.get("authorization") !== `Bearer ${AGENT_KEY}`) {
      return json(401, { error: { code: "unauthorized", message: "invalid agent key" } });
    }
    if (path === "/agent/commands/claim") {
      const parsed = ClaimRequest.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      const commands = edge.pending.splice(0, parsed.data.limit);
      return json(200, { v: 1, commands });
    }
    if (path === "/agent/heartbeat") {
      const parsed = Heartbeat.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      edge.heartbeats.push(parsed.data);
      return json(200, { ok: true });
    }
    if (path === "/pusher/auth") {
      const form = body as { socket_id?: string; channel_name?: string };
      return json(200, { auth: `key:signed-${form.socket_id}-${form.channel_name}` });
    }
    if (path === "/agent/runs") {
      const parsed = RunOpenRequest.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      const open = parsed.data;
      const now = new Date().toISOString();
      const running = [...runs.values()].find((r) =>
        r.status === "running" && r.id !== open.resumeRunId
      );
      if (running) {
        // What the edge answers for the database's conflict (20261205000500_conflict_codes.sql).
        return json(409, {
          error: { code: "run_active", message: "another run of this source is active" },
        });
      }
      if (open.resumeRunId) {
        const run = runs.get(open.resumeRunId);
        if (!run) return json(404, { error: { code: "not_found", message: "no such run" } });
        run.status = "running";
        run.updatedAt = now;
        const seqs = [...batchAnswers.keys()].filter((k) => k.startsWith(`${run.id}:`))
          .map((k) => Number(k.slice(run.id.length + 1)));
        return json(200, { ...run, lastSeq: seqs.length ? Math.max(...seqs) : null });
      }
      if (!open.params) {
        return json(422, { error: { code: "invalid_request", message: "params are required" } });
      }
      const run: RunSummary = {
        id: crypto.randomUUID(),
        agentId: AGENT_ID,
        commandId: open.commandId,
        source: open.source,
        mode: open.params.mode,
        params: open.params,
        status: "running",
        scheduled: open.scheduled,
        total: open.total,
        done: 0,
        counts: {},
        cursor: null,
        ratePerS: null,
        lastItem: null,
        error: null,
        createdAt: now,
        startedAt: now,
        updatedAt: now,
        finishedAt: null,
      };
      runs.set(run.id, run);
      return json(201, run);
    }
    const match = /^\/agent\/runs\/([^/]+)\/(progress|batches|finish)$/.exec(path);
    const run = match ? runs.get(match[1]!) : undefined;
    if (!match || !run) return json(404, { error: { code: "not_found", message: path } });
    if (match[2] === "progress") {
      const parsed = RunProgress.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      Object.assign(run, {
        status: parsed.data.status,
        total: parsed.data.total,
        done: parsed.data.done,
        counts: parsed.data.counts,
        cursor: parsed.data.cursor ?? run.cursor,
        ratePerS: parsed.data.ratePerS,
        lastItem: parsed.data.lastItem,
        updatedAt: new Date().toISOString(),
      });
      return json(200, run);
    }
    if (match[2] === "finish") {
      const parsed = RunFinish.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      Object.assign(run, {
        status: parsed.data.status,
        total: parsed.data.total,
        done: parsed.data.done,
        counts: parsed.data.counts,
        error: parsed.data.error,
        finishedAt: new Date().toISOString(),
      });
      return json(200, run);
    }
    if (encoding !== "gzip") {
      return json(415, { error: { code: "unsupported_media_type", message: "gzip expected" } });
    }
    const parsed = IngestBatch.safeParse(body);
    if (!parsed.success) return invalid(parsed.error);
    const batch = parsed.data;
    const answerKey = `${run.id}:${batch.seq}`;
    const previous = batchAnswers.get(answerKey);
    if (previous) {
      if (previous.body !== text) edge.seqReuses.push(answerKey);
      return json(200, { ...previous.result, replayed: true });
    }
    const keys = batch.kind === "planillas"
      ? batch.planillas.map((p) => p.codigo)
      : batch.customers.map((c) => c.wispro_id);
    let created = 0;
    let updated = 0;
    for (const recordKey of keys) {
      if (edge.stored.has(recordKey)) updated++;
      else created++;
      edge.stored.set(recordKey, { runId: run.id, seq: batch.seq });
    }
    const kind = batch.kind === "planillas" ? "planillas" : "customers";
    const result: BatchResult = {
      seq: batch.seq,
      replayed: false,
      counts: {
        [kind]: { created, updated, unchanged: 0, deleted: 0, rejected: batch.rejects.length },
      },
      rejects: batch.rejects.map((r) => ({ record_key: r.record_key, reason: r.reason })),
    };
    batchAnswers.set(answerKey, { result, body: text });
    return json(200, result);
  };

  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: handle });
  return Object.assign(edge, {
    reset() {
      edge.requests.length = 0;
      edge.seqReuses.length = 0;
      edge.heartbeats.length = 0;
      edge.pending.length = 0;
      edge.fault = () => null;
      runs.clear();
      edge.stored.clear();
      batchAnswers.clear();
      attempts.clear();
    },
    url: `http://127.0.0.1:${server.port}/functions/v1/sync`,
    async stop() {
      await server.stop(true);
    },
  });
}
