// Groups consecutive pages into fewer, larger ones before they are sent: with every page already read,
// a small per_page (say 100) no longer has to mean a hundred round trips to the edge. A group never
// exceeds the protocol's per-batch limits and is numbered by its LAST page, so "every batch up to this
// one acknowledged" still means "every page up to this one stored": the resume cursor stays valid.
import { MAX_CUSTOMERS_PER_BATCH, MAX_REJECTS_PER_BATCH } from "@puente/protocol";
import type { CustomerPage } from "../source.ts";

export function groupPages(
  pages: readonly CustomerPage[],
  maxCustomers = MAX_CUSTOMERS_PER_BATCH,
): CustomerPage[] {
  const groups: CustomerPage[] = [];
  for (const page of pages) {
    const last = groups.at(-1);
    const fits = last !== undefined &&
      last.customers.length + page.customers.length <= maxCustomers &&
      last.rejects.length + page.rejects.length <= MAX_REJECTS_PER_BATCH;
    if (fits) {
      groups[groups.length - 1] = {
        ...page,
        customers: [...last.customers, ...page.customers],
        rejects: [...last.rejects, ...page.rejects],
      };
    } else {
      groups.push({ ...page });
    }
  }
  return groups;
}
