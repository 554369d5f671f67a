// How long to wait before retrying a Wispro request: the server's Retry-After when it gave one,
// otherwise exponential backoff with jitter so parallel page fetches do not retry in lockstep.

export interface RetryPolicy {
  /** Attempts per page, the first included. */
  maxAttempts: number;
  /** Backoff before the second attempt; it doubles for each further attempt. */
  baseDelayMs: number;
  /** Ceiling for the exponential backoff. */
  maxDelayMs: number;
  /** Ceiling for a server-given Retry-After, so a bad header cannot park the sync for hours. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 120_000,
};

/** `Retry-After` as milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, nowMs = Date.now()): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * The wait after failed attempt number `attempt` (1 = the first request). A Retry-After is honoured
 * as given (capped), without jitter; otherwise "equal jitter": half the exponential delay plus a
 * random part of the other half.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
