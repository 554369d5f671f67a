// Adapts the Wispro engineer's pieces (the API client and the page stream in ./wispro/) to the
// runner's `WisproSource` contract: count from page 1's pagination, pages strictly after the cursor.
//
// All or nothing: every page (after the cursor) is fetched, validated and mapped BEFORE the first one
// is yielded, so a page that fails for good (402, a timeout that never heals, JSON that stays broken)
// fails the run before any batch reaches the database. A Wispro account is small enough for this
// (10,000 clients are a few megabytes). Having the whole account also lets the matching rules see
// across pages (an id number shared by two clients is ambiguous wherever they are) and lets small
// pages travel as fewer, larger batches.
//
// What this does not cover: once sending has begun, each batch is one transaction, so if Supabase
// itself stays unreachable past the sink's retries, the batches already acknowledged stay; the run
// fails with their counts and its cursor, and a resume (or a rerun, which is idempotent) completes it.
import type { WisproParams } from "@puente/protocol";
import type { CustomerPage, SourceLog, WisproSource, WisproSourceOptions } from "./source.ts";
import {
  createWisproClient,
  fetchCustomerPages,
  groupPages,
  rejectSharedIdNumbers,
} from "./wispro/index.ts";

export function createWisproSource(options: WisproSourceOptions): WisproSource {
  /** The current run's log, so retries show in the panel. */
  let retryLog: SourceLog | null = null;
  const client = createWisproClient({
    baseUrl: options.baseUrl,
    token: options.token,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    proxy: options.proxy ?? null,
    noProxy: options.noProxy ?? [],
    onRetry: ({ error, delayMs }) =>
      retryLog?.("warn", `${error.message}; retrying in ${delayMs} ms`),
  });
  return {
    name: "wispro",
    async count(_params: WisproParams) {
      const first = await client.fetchClientsPage(1, 1);
      return first.totalRecords;
    },
    async *extract(_params, { cursor, signal, log }) {
      retryLog = log;
      const afterPage = cursor?.lastPage ?? 0;
      log("debug", `fetching clients after page ${afterPage}`);
      const fetched: CustomerPage[] = [];
      for await (
        const page of fetchCustomerPages({
          client,
          perPage: options.perPage,
          concurrency: options.concurrency,
          afterPage,
          mapping: { defaultLetter: options.defaultNationality },
          signal,
        })
      ) {
        fetched.push(page);
        const step = Math.max(1, Math.ceil((page.totalPages - afterPage) / 10));
        if ((page.page - afterPage) % step === 0 || page.page === page.totalPages) {
          log("info", `read page ${page.page}/${page.totalPages} from Wispro`);
        }
      }
      const pages = groupPages(rejectSharedIdNumbers(fetched));
      const pagesRead = fetched.length;
      fetched.length = 0;
      const clients = pages.reduce((sum, page) => sum + page.customers.length, 0);
      const refused = pages.reduce((sum, page) => sum + page.rejects.length, 0);
      log(
        "info",
        `read ${pagesRead} page(s) from Wispro: ${clients} client(s) to store, ${refused} refused; sending`,
      );
      while (pages.length > 0) yield pages.shift()!;
    },
    close() {
      retryLog = null;
      return Promise.resolve();
    },
  };
}
