// Checks a whole Wispro account at once, which a page alone cannot: an id number carried by two or
// more clients is ambiguous wherever those clients sit, so every one of them is refused as
// `ambiguous_match` (the database applies the same rule inside one batch). A client that shows up on
// two pages (the list moved while it was read) is kept once. Both also keep two batches in flight
// from racing to insert the same person.
import type { Customer, SourceReject } from "@puente/protocol";

interface PageContent {
  customers: Customer[];
  rejects: SourceReject[];
}

/** Moves every customer whose id number another customer of the account shares into its page's rejects. */
export function rejectSharedIdNumbers<P extends PageContent>(pages: P[]): P[] {
  const holders = new Map<string, string[]>();
  const seen = new Set<string>();
  const repeated = new Set<Customer>();
  for (const page of pages) {
    for (const customer of page.customers) {
      if (seen.has(customer.wispro_id)) {
        repeated.add(customer);
        continue;
      }
      seen.add(customer.wispro_id);
      const sharing = holders.get(customer.id_number);
      if (sharing) sharing.push(customer.wispro_id);
      else holders.set(customer.id_number, [customer.wispro_id]);
    }
  }
  return pages.map((page) => {
    const customers: Customer[] = [];
    const rejects = [...page.rejects];
    for (const customer of page.customers) {
      const sharing = holders.get(customer.id_number) ?? [];
      if (repeated.has(customer)) {
        rejects.push({
          record_key: customer.wispro_id,
          reason: "invalid_record",
          detail:
            "the same Wispro client appears on two pages (the list changed while it was read)",
          payload: customer,
        });
      } else if (sharing.length > 1) {
        rejects.push({
          record_key: customer.wispro_id,
          reason: "ambiguous_match",
          detail: `its id number is on ${sharing.length} Wispro clients (${
            sharing.filter((id) => id !== customer.wispro_id).slice(0, 3).join(", ")
          }${sharing.length > 4 ? ", …" : ""}); fix it in Wispro`.slice(0, 1000),
          payload: customer,
        });
      } else {
        customers.push(customer);
      }
    }
    return { ...page, customers, rejects };
  });
}
