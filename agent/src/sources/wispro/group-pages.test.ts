import { describe, expect, test } from "bun:test";
import type { Customer, SourceReject } from "@puente/protocol";
import type { CustomerPage } from "../source.ts";
import { groupPages } from "./group-pages.ts";

const customer = (n: number) => ({ wispro_id: String(n), id_number: `V-${n}` }) as Customer;
const reject = (n: number) =>
  ({ record_key: String(n), reason: "missing_id_number" }) as SourceReject;
const page = (n: number, customers: number, rejects = 0): CustomerPage => ({
  page: n,
  totalPages: 5,
  totalRecords: 40,
  customers: Array.from({ length: customers }, (_, i) => customer(n * 100 + i)),
  rejects: Array.from({ length: rejects }, (_, i) => reject(n * 100 + 50 + i)),
});

describe("groupPages", () => {
  test("fills groups up to the limit, in order, each numbered by its last page", () => {
    const groups = groupPages([page(1, 4, 1), page(2, 4), page(3, 4), page(4, 4), page(5, 3)], 8);
    expect(groups.map((g) => [g.page, g.customers.length, g.rejects.length])).toEqual([
      [2, 8, 1],
      [4, 8, 0],
      [5, 3, 0],
    ]);
    expect(groups[0]!.customers.map((c) => c.wispro_id)).toEqual([
      "100",
      "101",
      "102",
      "103",
      "200",
      "201",
      "202",
      "203",
    ]);
    expect(groups.every((g) => g.totalPages === 5 && g.totalRecords === 40)).toBe(true);
  });

  test("a page larger than the limit goes alone; nothing is lost", () => {
    const groups = groupPages([page(1, 2), page(2, 9), page(3, 2)], 8);
    expect(groups.map((g) => [g.page, g.customers.length])).toEqual([[1, 2], [2, 9], [3, 2]]);
    expect(groupPages([])).toEqual([]);
  });
});
