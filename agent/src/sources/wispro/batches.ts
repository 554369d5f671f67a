// Wispro's batching: one page of customers is one batch, its cursor the page number.
import type { BatchDraft, CustomerPage } from "../source.ts";

/** One Wispro page is one batch; its cursor is the page number. */
export async function* customerPageBatches(
  pages: AsyncIterable<CustomerPage>,
): AsyncGenerator<BatchDraft> {
  for await (const page of pages) {
    const lastCustomer = page.customers.at(-1);
    yield {
      body: {
        kind: "customers",
        page: page.page,
        customers: page.customers,
        rejects: page.rejects,
      },
      cursor: { source: "wispro", lastPage: page.page },
      units: page.customers.length + page.rejects.length,
      label: {
        code: `página ${page.page}/${page.totalPages}`,
        cliente: lastCustomer?.name ?? null,
        obra: null,
      },
      totalRecords: page.totalRecords,
    };
  }
}
