// The agent's HTTP client for the edge API: one ky instance with the agent key, retries with jittered
// backoff (network errors, 408, 429, 5xx and the edge runtime's 546 WORKER_LIMIT; Retry-After honoured),
// gzip batch bodies, and named errors.
import ky, { HTTPError, isHTTPError, isNetworkError, isTimeoutError, type KyInstance } from "ky";
import {
  BatchResult,
  type ClaimedCommand,
  ClaimResponse,
  CommandRejected,
  ErrorEnvelope,
  FingerprintsResponse,
  Heartbeat,
  type IngestBatch,
  PROTOCOL_VERSION,
  RunFinish,
  RunOpenRequest,
  RunProgress,
  RunSummary,
} from "@puente/protocol";
import { z } from "zod";
import { AgentKeyInvalid } from "../errors/agent-key-invalid.ts";
import { AgentOutdated } from "../errors/agent-outdated.ts";
import { EdgeRefused } from "../errors/edge-refused.ts";
import { EdgeUnavailable } from "../errors/edge-unavailable.ts";
import { IngestRejected } from "../errors/ingest-rejected.ts";
import { RunConflict } from "../errors/run-conflict.ts";
import { fetchThrough } from "../proxy.ts";
import {
  type ApiWaiting,
  type OutagePolicy,
  outagePolicy,
  OutageTracker,
  waitOutOutage,
} from "./outage.ts";

export interface RetryPolicy {
  /** Retries after the first attempt. Default 6. */
  limit: number;
  /** First backoff; doubles each retry, with full jitter. Default 500 ms. */
  baseDelayMs: number;
  /** Ceiling of one backoff. Default 30 s. */
  backoffLimitMs: number;
  /** Ceiling of a server's Retry-After. Default 120 s. */
  maxRetryAfterMs: number;
}

export interface EdgeClientOptions {
  /** PUENTE_API_URL: the `sync` function's base, e.g. http://127.0.0.1:54321/functions/v1/sync. */
  baseUrl: string;
  agentKey: string;
  /** Per attempt. Default DEFAULT_REQUEST_TIMEOUT_MS (PUENTE_REQUEST_TIMEOUT_SECONDS's default too). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Told before each retry, so the run log says why it is slow. */
  onRetry?: (route: string, attempt: number, reason: string) => void;
  /** How long a run's essential calls wait through an outage (outage.ts). Default 45 min. */
  outage?: OutagePolicy;
  /** Told when the client starts waiting for the API (an outage) and when it is reachable again. */
  onWaiting?: (waiting: ApiWaiting | null) => void;
  /** The office's proxy (proxy.ts), or null. */
  proxy?: string | null;
  /** Hosts reached directly (NO_PROXY). */
  noProxy?: string[];
}

/** Pusher channel authorization as pusher-js expects it. */
export const ChannelAuth = z.object({ auth: z.string(), channel_data: z.string().optional() });
export type ChannelAuth = z.infer<typeof ChannelAuth>;

/** Input shapes (defaults may be left out); the edge parses the full schemas. */
export type RunOpenInput = z.input<typeof RunOpenRequest>;
export type RunProgressInput = z.input<typeof RunProgress>;
export type RunFinishInput = z.input<typeof RunFinish>;
export type HeartbeatInput = z.input<typeof Heartbeat>;

/** Supabase Edge Functions' status for a worker over its memory or CPU limit (`WORKER_LIMIT`). */
export const WORKER_LIMIT_STATUS = 546;

/** Per attempt; also PUENTE_REQUEST_TIMEOUT_SECONDS's default (config.ts). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** `limit` is also PUENTE_RETRY_LIMIT's default (config.ts). */
export const DEFAULT_RETRY: RetryPolicy = {
  limit: 6,
  baseDelayMs: 500,
  backoffLimitMs: 30_000,
  maxRetryAfterMs: 120_000,
};

export interface EdgeClient {
  claimCommands(limit?: number): Promise<ClaimedCommand[]>;
  /** Marks a claimed command the agent cannot carry out `rejected` with the reason; idempotent. */
  rejectCommand(commandId: string, reason: string): Promise<void>;
  openRun(request: RunOpenInput): Promise<RunSummary>;
  reportProgress(runId: string, progress: RunProgressInput): Promise<void>;
  /**
   * Sends one batch gzipped; a replayed seq answers the first result (`replayed: true`). The batch is
   * encoded before this returns, so the caller need not keep it while the request is on the wire.
   */
  sendBatch(runId: string, batch: IngestBatch): Promise<BatchResult>;
  finishRun(runId: string, finish: RunFinishInput): Promise<void>;
  heartbeat(heartbeat: HeartbeatInput): Promise<void>;
  /** Stored planilla fingerprints by code, what the incremental mode compares the source against. */
  storedFingerprints(year?: number): Promise<Map<string, string>>;
  authorizeChannel(socketId: string, channelName: string): Promise<ChannelAuth>;
  /** `GET /health` without retries: whether the API answers, and its clock (Date header). */
  probe(): Promise<{ status: number; serverDate: Date | null; body: unknown }>;
  /** Whether the client is waiting out an outage now, since when and why. */
  readonly waiting: ApiWaiting | null;
}

export function createEdgeClient(options: EdgeClientOptions): EdgeClient {
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const http: KyInstance = ky.create({
    prefix: options.baseUrl,
    headers: { authorization: `Bearer ${options.agentKey}`, accept: "application/json" },
    timeout: options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    fetch: fetchThrough(options.proxy ?? null, options.noProxy ?? []),
    retry: {
      limit: retry.limit,
      methods: ["get", "post"],
      // 546 is what hosted Supabase answers when a worker ran out of memory or CPU (WORKER_LIMIT): the
      // same idempotent request usually fits on a fresh worker, like a 502/503/504 from the gateway.
      statusCodes: [408, 429, 500, 502, 503, 504, WORKER_LIMIT_STATUS],
      afterStatusCodes: [429, 503],
      maxRetryAfter: retry.maxRetryAfterMs,
      backoffLimit: retry.backoffLimitMs,
      delay: (attempt) => retry.baseDelayMs * 2 ** (attempt - 1),
      jitter: true,
      retryOnTimeout: true,
      // ky knows browsers' and undici's network error messages, not Bun's (ECONNRESET, ConnectionRefused).
      shouldRetry: ({ error }) => (isConnectionError(error) ? true : undefined),
    },
    hooks: {
      beforeRetry: [({ request, error, retryCount }) => {
        const reason = isHTTPError(error) ? `HTTP ${error.response.status}` : error.message;
        options.onRetry?.(new URL(request.url).pathname, retryCount, reason);
      }],
    },
  });

  const outage = options.outage ?? outagePolicy();
  const tracker = new OutageTracker(options.onWaiting);

  /** Runs one call and turns ky's errors into the agent's named errors. */
  async function call<T>(route: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw toAgentError(route, error);
    }
  }

  /** A call a run cannot do without: once its retries are spent, it waits out an outage. */
  const essential = <T>(route: string, send: () => Promise<T>): Promise<T> =>
    waitOutOutage(() => call(route, send), {
      route,
      policy: outage,
      tracker,
      isOutage: (error) => error instanceof EdgeUnavailable,
    });

  // Every message says its protocol version, so an API that no longer speaks it can say so (426).
  const versioned = (body: unknown) => ({ v: PROTOCOL_VERSION, ...(body as object) });
  const postJson = (path: string, body: unknown) =>
    call(path, () => http.post(path, { json: versioned(body) }).json<unknown>());
  const postEssential = (path: string, body: unknown) =>
    essential(path, () => http.post(path, { json: versioned(body) }).json<unknown>());

  async function postGzipped(
    route: string,
    gzipped: ReturnType<typeof Bun.gzipSync>,
  ): Promise<BatchResult> {
    const body = await essential(route, () =>
      http.post(route, {
        body: gzipped,
        headers: { "content-type": "application/json", "content-encoding": "gzip" },
      }).json<unknown>());
    return parseAnswer(route, BatchResult, body);
  }

  return {
    async claimCommands(limit = 10) {
      const body = await postJson("agent/commands/claim", { v: 1, limit });
      return parseAnswer("agent/commands/claim", ClaimResponse, body).commands;
    },
    async rejectCommand(commandId, reason) {
      const route = `agent/commands/${encodeURIComponent(commandId)}/reject`;
      const body = await postJson(route, { v: 1, reason: reason.slice(0, 500) });
      parseAnswer(route, CommandRejected, body);
    },
    async openRun(request) {
      // Reopening a run is idempotent, so it may wait out an outage; opening a new one fails fast (a
      // lost answer would make the retry a second run, which the server refuses with 409).
      const post = request.resumeRunId ? postEssential : postJson;
      return parseAnswer("agent/runs", RunSummary, await post("agent/runs", request));
    },
    async reportProgress(runId, progress) {
      await postJson(`agent/runs/${runId}/progress`, progress);
    },
    sendBatch(runId, batch) {
      // Encoded before the first await, and the request below does not hold `batch`: the caller can
      // let the batch's objects go while the request is on the wire (and on its retries).
      const route = `agent/runs/${runId}/batches`;
      const gzipped = Bun.gzipSync(new TextEncoder().encode(JSON.stringify(batch)));
      return postGzipped(route, gzipped);
    },
    async finishRun(runId, finish) {
      await postEssential(`agent/runs/${runId}/finish`, finish);
    },
    async heartbeat(heartbeat) {
      await postJson("agent/heartbeat", heartbeat);
    },
    async storedFingerprints(year) {
      const body = await postEssential("agent/fingerprints", { v: 1, year: year ?? null });
      const answer = parseAnswer("agent/fingerprints", FingerprintsResponse, body);
      return new Map(Object.entries(answer.fingerprints));
    },
    async authorizeChannel(socketId, channelName) {
      const form = new URLSearchParams({ socket_id: socketId, channel_name: channelName });
      const body = await call(
        "pusher/auth",
        () => http.post("pusher/auth", { body: form }).json<unknown>(),
      );
      return parseAnswer("pusher/auth", ChannelAuth, body);
    },
    get waiting() {
      return tracker.current;
    },
    async probe() {
      const response = await call(
        "health",
        () => http.get("health", { retry: 0, throwHttpErrors: false }),
      );
      const date = response.headers.get("date");
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // A non-JSON health answer is reported as text.
      }
      return { status: response.status, serverDate: date ? new Date(date) : null, body };
    },
  };
}

const CONNECTION_ERROR_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ConnectionRefused",
  "ConnectionClosed",
  "FailedToOpenSocket",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
]);

/** A fetch that failed before any answer: the connection was refused, reset or never opened. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && CONNECTION_ERROR_CODES.has(code);
}

function parseAnswer<T>(route: string, schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new EdgeUnavailable(
      route,
      `unexpected answer: ${
        parsed.error.issues[0]?.message ?? "invalid"
      }; is PUENTE_API_URL the sync function?`,
    );
  }
  return parsed.data;
}

const BATCH_ROUTE = /^agent\/runs\/[^/]+\/batches$/;

function toAgentError(route: string, error: unknown): Error {
  if (error instanceof HTTPError || isHTTPError(error)) {
    const status = error.response.status;
    const envelope = ErrorEnvelope.safeParse(error.data);
    const serverCode = envelope.success ? envelope.data.error.code : `http_${status}`;
    const serverMessage = envelope.success
      ? envelope.data.error.message
      : typeof error.data === "string"
      ? error.data.slice(0, 200)
      : error.response.statusText;
    if (status === 401) return new AgentKeyInvalid();
    if (status === 426) return new AgentOutdated(serverMessage);
    if (status === 409) return new RunConflict(serverCode, serverMessage);
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      // Only a batch is "ingest": a claim or heartbeat refused is the edge refusing that call.
      if (!BATCH_ROUTE.test(route)) {
        return new EdgeRefused(status, serverCode, serverMessage, route);
      }
      return new IngestRejected(
        status,
        serverCode,
        serverMessage,
        envelope.success ? envelope.data.error.issues ?? [] : [],
        route,
      );
    }
    return new EdgeUnavailable(route, `HTTP ${status} ${serverMessage}`, { cause: error });
  }
  if (isNetworkError(error) || isTimeoutError(error) || isConnectionError(error)) {
    return new EdgeUnavailable(route, (error as Error).message, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
