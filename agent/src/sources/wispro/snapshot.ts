// Every Wispro client read exactly once, while clients are created and deleted during the sync.
//
// Why a reconciliation, not a keyset cursor: Wispro documents `page` and `per_page` (up to 1000) and two
// equality filters (`national_identification_number_eq`, `custom_id_eq`) for GET /clients, and no sort
// order, `since` or cursor parameter (/work/shared/REFERENCE.md, "Wispro API"). A keyset cursor needs a
// documented stable order and a "greater than" filter; neither exists. Offsets shift instead: a client
// deleted before the reading position moves every later client one place back (the one on the boundary
// is skipped), one created before it moves them forward (the one on the boundary is read twice).
//
// So: a first pass reads the pages concurrently; every client is keyed by its `id` (a UUID), so one read
// twice is kept once, in its latest version. Then verification passes re-read the whole list with
// `per_page` 1000 (few requests) until one both adds no client the union lacks and is consistent in
// itself (every page answered the same total_records, and the pass returned exactly that many distinct
// clients). A client that exists for the whole sync is missed only if it is skipped by every pass; a
// client created or deleted during the sync is read at most once. If the list never settles within
// `maxPasses`, the union is used and the caller is told (the next sync picks up what moved).
import type { WisproClient } from "./client.ts";
import { MAX_PER_PAGE } from "./client.ts";
import { DEFAULT_PER_PAGE, fetchClientPages } from "./pages.ts";

export const DEFAULT_MAX_PASSES = 4;

export interface ClientSnapshotOptions {
  client: WisproClient;
  /** Clients per request in the first pass. */
  perPage?: number;
  concurrency?: number;
  /** First pass plus verification passes; at least 2. */
  maxPasses?: number;
  signal?: AbortSignal;
  /** Told after each page of each pass (pass 1 is the one whose pages a person sees progress on). */
  onPage?: (page: { pass: number; page: number; totalPages: number }) => void;
}

export interface ClientSnapshot {
  /** Raw client records, each once, in the order first seen. */
  clients: unknown[];
  passes: number;
  /** False when the list was still changing after maxPasses. */
  isSettled: boolean;
  /** Clients a pass read twice (the list moved under it), kept once. */
  repeated: number;
}

/**
 * The key a client is kept once by: its UUID. A record without one (mapping will refuse it) is keyed by
 * its whole content, so the same broken record read by two passes is still one.
 */
function keyOf(client: unknown): string {
  const id = (client as { id?: unknown } | null)?.id;
  return typeof id === "string" && id !== "" ? `id:${id}` : `record:${JSON.stringify(client)}`;
}

interface Pass {
  byKey: Map<string, unknown>;
  repeated: number;
  isConsistent: boolean;
}

async function readPass(
  options: ClientSnapshotOptions,
  pass: number,
  perPage: number,
): Promise<Pass> {
  const byKey = new Map<string, unknown>();
  const totals = new Set<number>();
  let repeated = 0;
  for await (
    const page of fetchClientPages({
      client: options.client,
      perPage,
      concurrency: options.concurrency,
      signal: options.signal,
    })
  ) {
    totals.add(page.totalRecords);
    for (const client of page.clients) {
      const key = keyOf(client);
      if (byKey.has(key)) repeated++;
      byKey.set(key, client);
    }
    options.onPage?.({ pass, page: page.page, totalPages: page.totalPages });
  }
  const [total] = totals;
  return { byKey, repeated, isConsistent: totals.size <= 1 && (total ?? 0) === byKey.size };
}

export async function readClientSnapshot(options: ClientSnapshotOptions): Promise<ClientSnapshot> {
  const maxPasses = Math.max(2, options.maxPasses ?? DEFAULT_MAX_PASSES);
  const union = new Map<string, unknown>();
  let repeated = 0;
  for (let pass = 1; pass <= maxPasses; pass++) {
    options.signal?.throwIfAborted();
    const perPage = pass === 1 ? options.perPage ?? DEFAULT_PER_PAGE : MAX_PER_PAGE;
    const result = await readPass(options, pass, perPage);
    let added = 0;
    for (const [key, client] of result.byKey) {
      if (!union.has(key)) added++;
      // The latest read of a client is its newest version; Map keeps its first-seen position.
      union.set(key, client);
    }
    repeated += result.repeated;
    if (pass > 1 && added === 0 && result.isConsistent) {
      return { clients: [...union.values()], passes: pass, isSettled: true, repeated };
    }
  }
  return { clients: [...union.values()], passes: maxPasses, isSettled: false, repeated };
}
