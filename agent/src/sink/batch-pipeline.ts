// Keeps a bounded number of batches in flight, numbers them, and tracks the acknowledged cursor: the
// cursor advances only when a batch AND every batch before it have been acknowledged, so a saved
// cursor never skips a batch that was still on the wire.
import type { BatchResult } from "@puente/protocol";

/**
 * The most batches any agent keeps on the wire (PUENTE_MAX_IN_FLIGHT's ceiling). A run resumed without
 * its local record skips this many seqs past the server's highest, since that many may still land.
 */
export const MAX_IN_FLIGHT_LIMIT = 16;

export interface PipelineOptions<D> {
  /** Sends one batch; resolves with the server's answer, rejects when it finally failed. */
  send: (seq: number, draft: D) => Promise<BatchResult>;
  /** Batches on the wire at once (PUENTE_MAX_IN_FLIGHT, default 3). */
  maxInFlight: number;
  /** The first sequence number; a resumed run continues after every seq it used before. */
  firstSeq: number;
  /** Told for every acknowledged batch, in the order the answers arrive. */
  onAck?: (seq: number, draft: D, result: BatchResult) => void;
  /**
   * Told, in seq order, for each batch that joins the acknowledged prefix (it and every batch before
   * it acknowledged): the moment `ackedCursor` reaches its cursor. Called before that answer's `onAck`.
   */
  onAdvance?: (draft: D) => void;
}

interface Slot<D> {
  seq: number;
  draft: D;
  isAcked: boolean;
}

export class BatchPipeline<D extends { cursor: unknown }> {
  readonly #options: PipelineOptions<D>;
  /** Sent batches not yet folded into the acknowledged prefix, in seq order. */
  readonly #pending: Slot<D>[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #nextSeq: number;
  #ackedCursor: D["cursor"] | null = null;
  #failure: Error | null = null;

  constructor(options: PipelineOptions<D>) {
    if (options.maxInFlight < 1) throw new RangeError("maxInFlight must be at least 1");
    this.#options = options;
    this.#nextSeq = options.firstSeq;
  }

  /** The cursor of the last batch whose every predecessor is acknowledged too (null before any). */
  get ackedCursor(): D["cursor"] | null {
    return this.#ackedCursor;
  }

  /** The seq the next pushed batch gets; `nextSeq - 1` is the highest seq used so far. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** The first failure, if a batch failed; once set, nothing more is sent. */
  get failure(): Error | null {
    return this.#failure;
  }

  /**
   * Sends `draft` as the next batch, first waiting until fewer than `maxInFlight` are on the wire.
   * Throws the first failure of any earlier batch instead of sending more.
   */
  async push(draft: D): Promise<number> {
    while (this.#inFlight.size >= this.#options.maxInFlight && !this.#failure) {
      await Promise.race(this.#inFlight);
    }
    if (this.#failure) throw this.#failure;
    const slot: Slot<D> = { seq: this.#nextSeq++, draft, isAcked: false };
    this.#pending.push(slot);
    const flight: Promise<void> = this.#options.send(slot.seq, draft).then(
      (result) => this.#acknowledge(slot, result),
      (error: unknown) => {
        this.#failure ??= error instanceof Error ? error : new Error(String(error));
      },
    ).finally(() => this.#inFlight.delete(flight));
    this.#inFlight.add(flight);
    return slot.seq;
  }

  /** Waits for every batch on the wire; throws the first failure, if any. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.race(this.#inFlight);
    if (this.#failure) throw this.#failure;
  }

  #acknowledge(slot: Slot<D>, result: BatchResult) {
    slot.isAcked = true;
    while (this.#pending[0]?.isAcked) {
      const joined = this.#pending.shift()!;
      this.#ackedCursor = joined.draft.cursor;
      this.#options.onAdvance?.(joined.draft);
    }
    this.#options.onAck?.(slot.seq, slot.draft, result);
  }
}
