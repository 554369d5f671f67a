// Adapts the Wispro pieces of this folder (the API client and the reconciled snapshot) to the
// runner's `WisproSource` contract: count from page 1's pagination, then every client exactly once.
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
import type { CustomerPage, SourceLog, WisproSource, WisproSourceOptions } from "../source.ts";
import { customerPageBatches } from "./batches.ts";
import {
  createWisproClient,
  groupPages,
  mapClientsPage,
  readClientSnapshot,
  rejectSharedIdNumbers,
} from "./index.ts";

export function createWisproSource(options: WisproSourceOptions): WisproSource {
  const perPage = options.perPage;
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
      // A page number is a position in a list that moves while clients are created and deleted, so a
      // resumed run cannot trust it to skip what was stored: it reads and sends everything again, which
      // changes nothing for what already landed (unchanged customers count as unchanged).
      if (cursor) log("info", `resuming after page ${cursor.lastPage}: every client is read again`);
      let step = 1;
      const snapshot = await readClientSnapshot({
        client,
        perPage,
        concurrency: options.concurrency,
        signal,
        onPage: ({ pass, page, totalPages }) => {
          if (pass !== 1) return;
          if (page === 1) step = Math.max(1, Math.ceil(totalPages / 10));
          if (page % step === 0 || page === totalPages) {
            log("info", `read page ${page}/${totalPages} from Wispro`);
          }
        },
      });
      if (!snapshot.isSettled) {
        log(
          "warn",
          `Wispro's client list kept changing over ${snapshot.passes} passes; a client moved by the last changes is picked up by the next sync`,
        );
      } else if (snapshot.repeated > 0 || snapshot.passes > 2) {
        log(
          "info",
          `Wispro's client list changed during the read: reconciled over ${snapshot.passes} passes, ${snapshot.repeated} read twice and kept once`,
        );
      }
      const fetched: CustomerPage[] = [];
      const totalPages = Math.ceil(snapshot.clients.length / perPage);
      for (let page = 1; page <= totalPages; page++) {
        const raw = snapshot.clients.slice((page - 1) * perPage, page * perPage);
        fetched.push({
          page,
          totalPages,
          totalRecords: snapshot.clients.length,
          ...mapClientsPage(raw, { defaultLetter: options.defaultNationality }),
        });
      }
      snapshot.clients.length = 0;
      const pages = groupPages(rejectSharedIdNumbers(fetched));
      fetched.length = 0;
      const clients = pages.reduce((sum, page) => sum + page.customers.length, 0);
      const refused = pages.reduce((sum, page) => sum + page.rejects.length, 0);
      log(
        "info",
        `read ${totalPages} page(s) from Wispro: ${clients} client(s) to store, ${refused} refused; sending`,
      );
      while (pages.length > 0) yield pages.shift()!;
    },
    batches(params, cursor, { signal, log }) {
      return customerPageBatches(this.extract(params, { cursor, signal, log }));
    },
    close() {
      retryLog = null;
      return Promise.resolve();
    },
  };
}
