// Adapts the Wispro engineer's pieces (the API client and the page stream in ./wispro/) to the
// runner's `WisproSource` contract: count from page 1's pagination, pages strictly after the cursor.
import type { WisproParams } from "@puente/protocol";
import type { WisproSource, WisproSourceOptions } from "./source.ts";
import { createWisproClient, fetchCustomerPages } from "./wispro/index.ts";

export function createWisproSource(options: WisproSourceOptions): WisproSource {
  const client = createWisproClient({ baseUrl: options.baseUrl, token: options.token });
  return {
    name: "wispro",
    async count(_params: WisproParams) {
      const first = await client.fetchClientsPage(1, 1);
      return first.totalRecords;
    },
    extract(_params, { cursor, signal, log }) {
      log("debug", `fetching clients after page ${cursor?.lastPage ?? 0}`);
      return fetchCustomerPages({
        client,
        perPage: options.perPage,
        concurrency: options.concurrency,
        afterPage: cursor?.lastPage ?? 0,
        mapping: { defaultLetter: options.defaultNationality },
        signal,
      });
    },
    close() {
      return Promise.resolve();
    },
  };
}
