// Fetches one page of Wispro clients with ky: raw-token auth, a per-attempt timeout, the body status
// checked (Wispro reports errors inside HTTP 200), and retries with backoff for what may pass.
import { fetchThrough } from "../../proxy.ts";
import ky, { HTTPError, NetworkError, TimeoutError } from "ky";
import { z } from "zod";
import {
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  retryDelayMs,
  type RetryPolicy,
} from "./backoff.ts";
import {
  WisproApiError,
  WisproError,
  WisproGaveUp,
  WisproLicenceExpired,
  WisproResponseInvalid,
  WisproTimeout,
  WisproTokenRefused,
  WisproUnreachable,
} from "./errors.ts";

export const MAX_PER_PAGE = 1000;
/** Per attempt; also WISPRO_TIMEOUT_SECONDS's default. */
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface WisproClientOptions {
  /** WISPRO_API_URL, e.g. `https://www.cloud.wispro.co/api/v1`. */
  baseUrl: string;
  /** WISPRO_API_TOKEN, sent as-is in `Authorization` (Wispro takes no "Bearer"). */
  token: string;
  /** Per attempt, covering the answer and its body. Default 30 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Source of jitter; tests pin it. */
  random?: () => number;
  /** The office's proxy, or null. */
  proxy?: string | null;
  /** Hosts reached directly (NO_PROXY). */
  noProxy?: string[];
  /** Told before each retry wait, for the run's log. */
  onRetry?: (retry: { page: number; attempt: number; delayMs: number; error: WisproError }) => void;
}

/** One page as Wispro sent it; `clients` are raw records, still to be mapped. */
export interface ClientsPage {
  page: number;
  perPage: number;
  totalPages: number;
  totalRecords: number;
  clients: unknown[];
}

export interface WisproClient {
  fetchClientsPage(page: number, perPage: number, signal?: AbortSignal): Promise<ClientsPage>;
}

const count = z.number().int().nonnegative();
const ClientsEnvelope = z.object({
  status: z.literal(200),
  meta: z.object({
    pagination: z.object({
      total_records: count,
      total_pages: count,
      per_page: count,
      current_page: count,
    }),
  }),
  data: z.array(z.unknown()),
});

/** Wispro's status codes, from the body or the HTTP status line, as the error a person can act on. */
function statusError(status: number, detail: string, page: number, retryAfterMs?: number) {
  if (status === 401) return new WisproTokenRefused();
  if (status === 402) return new WisproLicenceExpired();
  return new WisproApiError(status, detail, page, retryAfterMs);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function bodyMessage(data: unknown): string | null {
  if (typeof data !== "object" || data === null) return null;
  const message = (data as { message?: unknown }).message;
  return typeof message === "string" && message !== "" ? message.slice(0, 200) : null;
}

export function createWisproClient(options: WisproClientOptions): WisproClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const base = options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`;
  const host = new URL(base).host;
  const api = ky.create({
    baseUrl: base,
    headers: { authorization: options.token, accept: "application/json" },
    timeout: timeoutMs,
    retry: 0,
    fetch: fetchThrough(options.proxy ?? null, options.noProxy ?? []),
  });

  async function attempt(
    page: number,
    perPage: number,
    signal?: AbortSignal,
  ): Promise<ClientsPage> {
    let text: string;
    try {
      text = await api.get("clients", {
        searchParams: { page, per_page: perPage },
        ...(signal ? { signal } : {}),
      }).text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof HTTPError) {
        const { status, statusText, headers } = error.response;
        const detail = bodyMessage(error.data) ?? (statusText || "HTTP error");
        throw statusError(status, detail, page, parseRetryAfter(headers.get("retry-after")));
      }
      if (error instanceof TimeoutError) throw new WisproTimeout(page, timeoutMs);
      if (error instanceof NetworkError || error instanceof TypeError) {
        const cause = error.cause instanceof Error ? error.cause.message : (error as Error).message;
        // The fetch error stays as the cause: its code says DNS, TLS or refused (doctor names it).
        throw new WisproUnreachable(host, page, cause, { cause: error.cause ?? error });
      }
      throw error;
    }

    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new WisproResponseInvalid(page, `not complete JSON (${text.length} bytes)`, true);
    }
    const bodyStatus = (body as { status?: unknown } | null)?.status;
    if (typeof bodyStatus === "number" && bodyStatus !== 200) {
      throw statusError(bodyStatus, bodyMessage(body) ?? "error in body", page);
    }
    const envelope = ClientsEnvelope.safeParse(body);
    if (!envelope.success) {
      throw new WisproResponseInvalid(
        page,
        `not the clients envelope (${envelope.error.issues[0]?.message})`,
        false,
      );
    }
    const { pagination } = envelope.data.meta;
    return {
      page,
      perPage: pagination.per_page,
      totalPages: pagination.total_pages,
      totalRecords: pagination.total_records,
      clients: envelope.data.data,
    };
  }

  return {
    async fetchClientsPage(page, perPage, signal) {
      if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
        throw new RangeError(`perPage must be between 1 and ${MAX_PER_PAGE}, got ${perPage}`);
      }
      for (let attemptNumber = 1;; attemptNumber++) {
        try {
          return await attempt(page, perPage, signal);
        } catch (error) {
          if (!(error instanceof WisproError) || !error.isRetryable) throw error;
          if (attemptNumber >= policy.maxAttempts) {
            throw new WisproGaveUp(page, attemptNumber, error);
          }
          const retryAfter = error instanceof WisproApiError ? error.retryAfterMs : undefined;
          const delayMs = retryDelayMs(attemptNumber, retryAfter, policy, options.random);
          options.onRetry?.({ page, attempt: attemptNumber, delayMs, error });
          await sleep(delayMs, signal);
        }
      }
    },
  };
}
