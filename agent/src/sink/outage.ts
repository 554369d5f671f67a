// How the agent rides out an outage of the API (Supabase down, the office's internet gone): after a
// call has used up its quick retries, the calls a run cannot do without (batches, the final report,
// reopening a run) wait with a growing pause and try again, for at least 30 minutes by default, instead
// of failing the run. While they wait the agent is "waiting for the API": the hook tells the daemon,
// which logs it and shows it in `status`. Batches carry their seq, so sending one again never stores it
// twice.

export interface OutagePolicy {
  /** How long one call keeps trying through an outage before it gives up. */
  budgetMs: number;
  /** First pause between attempts; doubles each time, up to `maxDelayMs`, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** 45 minutes: an office router restart, a Supabase maintenance window, a cut line being fixed. */
export const DEFAULT_OUTAGE_BUDGET_MS = 45 * 60_000;

/** The policy for a budget: pauses grow to a thirtieth of it, between 0.5 s and 60 s. */
export function outagePolicy(budgetMs = DEFAULT_OUTAGE_BUDGET_MS): OutagePolicy {
  const maxDelayMs = Math.min(60_000, Math.max(500, Math.round(budgetMs / 30)));
  return { budgetMs, baseDelayMs: Math.min(5_000, Math.round(maxDelayMs / 4)), maxDelayMs };
}

/** What the agent shows while it waits. */
export interface ApiWaiting {
  since: Date;
  route: string;
  reason: string;
  /** When this call gives up if the API is still away. */
  givesUpAt: Date;
}

/**
 * Shared by every call of one client: the outage starts at the first call that has to wait and ends
 * at the first call that gets through, so concurrent batches report one outage, not several.
 */
export class OutageTracker {
  #current: ApiWaiting | null = null;
  constructor(private readonly onChange?: (waiting: ApiWaiting | null) => void) {}

  get current(): ApiWaiting | null {
    return this.#current;
  }

  waiting(route: string, reason: string, givesUpAt: Date): void {
    if (this.#current) return;
    this.#current = { since: new Date(), route, reason, givesUpAt };
    this.onChange?.(this.#current);
  }

  reachable(): void {
    if (!this.#current) return;
    this.#current = null;
    this.onChange?.(null);
  }
}

/** The pause before attempt `attempt + 1`: exponential, capped, with jitter in its upper half. */
export function outageDelay(policy: OutagePolicy, attempt: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Runs `call` until it succeeds, fails with an error `isOutage` does not accept, or the budget is
 * spent (then the last error is thrown).
 */
export async function waitOutOutage<T>(
  call: () => Promise<T>,
  options: {
    route: string;
    policy: OutagePolicy;
    tracker: OutageTracker;
    isOutage: (error: unknown) => boolean;
    now?: () => number;
    sleep?: (ms: number) => Promise<void>;
  },
): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const givesUpAt = now() + options.policy.budgetMs;
  for (let attempt = 1;; attempt++) {
    try {
      const result = await call();
      options.tracker.reachable();
      return result;
    } catch (error) {
      if (!options.isOutage(error)) {
        // The API answered (a refusal is an answer): it is reachable.
        options.tracker.reachable();
        throw error;
      }
      const left = givesUpAt - now();
      if (left <= 0) throw error;
      options.tracker.waiting(options.route, (error as Error).message, new Date(givesUpAt));
      await sleep(Math.min(left, outageDelay(options.policy, attempt)));
    }
  }
}
