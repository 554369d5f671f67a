// The edge for the agent's tests: the REAL edge app (edge/sync/app.ts, through edge/sync/testing.ts)
// served on a loopback port, over an in-memory database. Routing, the bearer key, zod validation and
// the error envelope, gzip and body limits are the edge's own; only the database is stood in for here,
// by the agent RPCs the edge calls, answering as the migrations do: one running run per agent and
// source, a replayed seq answers its first result, a batch, progress or finish for a run that is no
// longer running is a named conflict (PT409 with its code in `details`). Plus fault injection and a
// record of every request, for the tests.
import { gunzipSync } from "node:zlib";
import type {
  BatchResult,
  ClaimedCommand,
  IngestBatch,
  RunFinish,
  RunOpenRequest,
  RunProgress,
  RunSummary,
} from "@puente/protocol";
import { createTestApp, ScriptedRpcError } from "../../edge/sync/testing.ts";

export const AGENT_ID = "6f1c2d7e-4b0a-4c1e-9a55-1d2b3c4d5e6f";
export const AGENT_KEY = "pk_test_0123456789abcdef0123456789abcdef";
/** The Pusher app key the edge signs channel authorizations with (edge/sync/testing.ts). */
export const PUSHER_KEY = "pusher-key";

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

/** A conflict as the database raises it: PostgREST answers 409 with the code in `details`. */
const conflict = (details: string, message: string) =>
  new ScriptedRpcError({ code: "PT409", message, details, hint: null }, 409);

const isFinished = (run: RunSummary) => ["completed", "failed", "cancelled"].includes(run.status);

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

  const runOf = (args: Record<string, unknown>): RunSummary => {
    const run = runs.get(String(args.p_run_id));
    if (!run) {
      throw new ScriptedRpcError({ code: "PT404", message: "run not found for this agent" }, 404);
    }
    return run;
  };

  const openRun = (open: RunOpenRequest): RunSummary & { lastSeq?: number | null } => {
    const now = new Date().toISOString();
    const active = [...runs.values()].find((r) =>
      r.status === "running" && r.source === open.source && r.id !== open.resumeRunId
    );
    if (active) throw conflict("run_active", "another run of this source is active");
    if (open.resumeRunId) {
      const run = runs.get(open.resumeRunId);
      if (!run) {
        throw new ScriptedRpcError({ code: "PT404", message: "run not found for this agent" }, 404);
      }
      if (isFinished(run)) {
        throw conflict("run_not_resumable", `run is ${run.status} and cannot be resumed`);
      }
      run.status = "running";
      run.updatedAt = now;
      const seqs = [...batchAnswers.keys()].filter((k) => k.startsWith(`${run.id}:`))
        .map((k) => Number(k.slice(run.id.length + 1)));
      return { ...run, lastSeq: seqs.length ? Math.max(...seqs) : null };
    }
    if (!open.params) {
      throw new ScriptedRpcError({ code: "PT422", message: "params.mode is required" }, 422);
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
    return run;
  };

  const ingest = (args: Record<string, unknown>): BatchResult => {
    const run = runOf(args);
    const batch = args.p_batch as IngestBatch;
    const body = JSON.stringify(batch);
    const answerKey = `${run.id}:${batch.seq}`;
    const previous = batchAnswers.get(answerKey);
    if (previous) {
      if (previous.body !== body) edge.seqReuses.push(answerKey);
      return { ...previous.result, replayed: true };
    }
    if (run.status !== "running") {
      throw conflict("run_not_running", `run is ${run.status}, not running`);
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
    batchAnswers.set(answerKey, { result, body });
    return result;
  };

  const { app } = createTestApp({
    authenticate_agent: (args) => {
      if (args.p_key === AGENT_KEY) return { agentId: AGENT_ID, name: "Oficina" };
      throw new ScriptedRpcError({ code: "PT401", message: "unknown or revoked agent key" }, 401);
    },
    claim_commands: (args) => ({
      v: 1,
      commands: edge.pending.splice(0, Number(args.p_limit)),
    }),
    reject_command: (args) => ({
      v: 1,
      commandId: args.p_command_id,
      status: "rejected",
      reason: args.p_reason,
    }),
    agent_heartbeat: (args) => {
      edge.heartbeats.push(args.p_heartbeat);
      return { lastSeenAt: new Date().toISOString() };
    },
    planilla_fingerprints: () => ({}),
    open_run: (args) => openRun(args.p_request as RunOpenRequest),
    report_progress: (args) => {
      const run = runOf(args);
      if (isFinished(run)) throw conflict("run_not_running", `run is already ${run.status}`);
      const progress = args.p_progress as RunProgress;
      Object.assign(run, {
        status: progress.status,
        total: progress.total ?? run.total,
        done: progress.done ?? run.done,
        counts: progress.counts ?? run.counts,
        cursor: progress.cursor ?? run.cursor,
        ratePerS: progress.ratePerS,
        lastItem: progress.lastItem ?? run.lastItem,
        updatedAt: new Date().toISOString(),
      });
      return run;
    },
    finish_run: (args) => {
      const run = runOf(args);
      const finish = args.p_finish as RunFinish;
      if (isFinished(run)) {
        if (run.status === finish.status) return run; // a retried finish is a no-op
        throw conflict("run_not_running", `run is already ${run.status}`);
      }
      Object.assign(run, {
        status: finish.status,
        total: finish.total ?? run.total,
        done: finish.done ?? run.done,
        counts: finish.counts ?? run.counts,
        error: finish.error ?? null,
        finishedAt: new Date().toISOString(),
      });
      return run;
    },
    ingest_planillas: ingest,
    ingest_customers: ingest,
  });

  const handle = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/functions\/v1\/sync/, "");
    const encoding = request.headers.get("content-encoding");
    const raw = new Uint8Array(await request.arrayBuffer());
    let body: unknown = null;
    try {
      const text = new TextDecoder().decode(encoding === "gzip" ? gunzipSync(raw) : raw);
      body = request.headers.get("content-type")?.includes("application/x-www-form-urlencoded")
        ? Object.fromEntries(new URLSearchParams(text))
        : text
        ? JSON.parse(text)
        : null;
    } catch {
      body = null; // The edge answers what it makes of it.
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
    return await app.request(`/sync${path}${url.search}`, {
      method: request.method,
      headers: request.headers,
      body: request.method === "GET" || request.method === "HEAD" ? undefined : raw,
    });
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
