// Reads one pass over Wispro's client list: page 1 (or the page after `afterPage`) tells how many pages
// there are, the rest are fetched a few at a time, and pages are yielded strictly in order. Pages are
// offsets into a list that moves while clients are created and deleted, so one pass can skip or repeat
// a client; snapshot.ts reconciles passes into a set read exactly once.
import type { ClientsPage, WisproClient } from "./client.ts";

/**
 * Four pages in flight keep 10,000 clients at 150 ms a page under 10 s without crowding Wispro
 * (bench/wispro). Also WISPRO_CONCURRENCY's default.
 */
export const DEFAULT_CONCURRENCY = 4;
/** Wispro's largest page: the fewest requests for a pass. Also WISPRO_PER_PAGE's default. */
export const DEFAULT_PER_PAGE = 1000;

export interface FetchClientPagesOptions {
  client: WisproClient;
  /** Clients per request, 1–1000. */
  perPage?: number;
  /** Pages in flight at once. */
  concurrency?: number;
  /** Resume: pages up to and including this one were already delivered. Default 0. */
  afterPage?: number;
  signal?: AbortSignal;
}

/**
 * Every page of raw clients, in order: page 1 (or the page after `afterPage`) tells how many pages
 * there are, the rest are fetched a few at a time. Each page keeps the pagination it was answered
 * with, so a caller can see the list change under it (snapshot.ts).
 */
export async function* fetchClientPages(
  options: FetchClientPagesOptions,
): AsyncGenerator<ClientsPage, void, undefined> {
  const perPage = options.perPage ?? DEFAULT_PER_PAGE;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const firstPage = (options.afterPage ?? 0) + 1;
  const controller = new AbortController();
  const stop = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", stop, { once: true });
  if (options.signal?.aborted) stop();

  const fetched = new Map<number, Promise<ClientsPage>>();
  let unsettled = 0;
  let nextToLaunch = firstPage + 1;
  let totalPages = 0;
  /** Whole pages fetched ahead of the consumer are bounded too, so a slow ingest cannot buffer everything. */
  let yielding = firstPage;
  const launch = () => {
    while (
      unsettled < concurrency && nextToLaunch <= totalPages &&
      nextToLaunch <= yielding + 2 * concurrency && !controller.signal.aborted
    ) {
      const request = options.client.fetchClientsPage(nextToLaunch, perPage, controller.signal);
      unsettled++;
      // Failures surface when their page's turn comes; the pool only needs to know a slot is free.
      request.then(() => {}, () => {}).finally(() => {
        unsettled--;
        launch();
      });
      fetched.set(nextToLaunch++, request);
    }
  };

  try {
    const first = await options.client.fetchClientsPage(firstPage, perPage, controller.signal);
    totalPages = first.totalPages;
    for (let page = firstPage; page <= totalPages; page++) {
      yielding = page;
      launch();
      const raw = page === firstPage ? first : await fetched.get(page);
      fetched.delete(page);
      if (raw) yield raw;
    }
  } finally {
    options.signal?.removeEventListener("abort", stop);
    controller.abort();
  }
}
