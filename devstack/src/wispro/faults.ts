// Injectable faults for the Wispro stand-in: a per-page latency plus a queue of one-shot faults, each
// consumed by the next request (optionally only a request for a given page), so a test says exactly
// which requests misbehave and how.

export type Fault =
  | { kind: "rate_limit"; retryAfterS: number }
  | { kind: "server_error"; status: number }
  | { kind: "hang" }
  | { kind: "body_status"; status: number }
  | { kind: "truncated_json" };

/** Limits a fault to requests for one page; without it, the next request of any page takes it. */
export interface FaultScope {
  page?: number;
}

interface QueuedFault {
  fault: Fault;
  page: number | undefined;
}

export class WisproFaults {
  /** Delay before every `/clients` answer, in milliseconds. */
  latencyMs = 0;
  readonly #queue: QueuedFault[] = [];

  #push(count: number, fault: Fault, scope: FaultScope): this {
    for (let i = 0; i < count; i++) this.#queue.push({ fault, page: scope.page });
    return this;
  }

  /** HTTP 429 with `Retry-After: <retryAfterS>` for the next `count` requests. */
  rateLimit(count: number, retryAfterS: number, scope: FaultScope = {}): this {
    return this.#push(count, { kind: "rate_limit", retryAfterS }, scope);
  }

  /** HTTP 5xx (503 unless told) for the next `count` requests. */
  serverErrors(count: number, status = 503, scope: FaultScope = {}): this {
    return this.#push(count, { kind: "server_error", status }, scope);
  }

  /** The next `count` requests never get an answer until the client gives up. */
  hang(count: number, scope: FaultScope = {}): this {
    return this.#push(count, { kind: "hang" }, scope);
  }

  /** HTTP 200 whose body carries Wispro's error status (401, 402, 500 …) for the next `count` requests. */
  bodyStatus(count: number, status: number, scope: FaultScope = {}): this {
    return this.#push(count, { kind: "body_status", status }, scope);
  }

  /** HTTP 200 with the JSON cut in half for the next `count` requests. */
  truncateJson(count: number, scope: FaultScope = {}): this {
    return this.#push(count, { kind: "truncated_json" }, scope);
  }

  /** Removes pending faults and latency. */
  reset(): void {
    this.latencyMs = 0;
    this.#queue.length = 0;
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Takes the first queued fault that applies to a request for `page`. */
  take(page: number): Fault | null {
    const index = this.#queue.findIndex((q) => q.page === undefined || q.page === page);
    if (index < 0) return null;
    const [taken] = this.#queue.splice(index, 1);
    return taken?.fault ?? null;
  }
}
