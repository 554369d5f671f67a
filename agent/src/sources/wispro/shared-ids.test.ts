import { describe, expect, test } from "bun:test";
import type { SourceReject } from "@puente/protocol";
import { rejectSharedIdNumbers } from "./shared-ids.ts";
import { fakeCustomer as customer } from "../../../test/fake-sources.ts";

const none: SourceReject[] = [];

describe("rejectSharedIdNumbers", () => {
  test("every holder of an id number shared across pages is ambiguous; the rest pass", () => {
    const pages = rejectSharedIdNumbers([
      { page: 1, customers: [customer(1, "V-1"), customer(2, "V-2")], rejects: none },
      { page: 2, customers: [customer(3, "V-1"), customer(4, "V-4")], rejects: none },
    ]);
    expect(pages.map((p) => p.customers.map((c) => c.public_id))).toEqual([[2], [4]]);
    expect(pages.map((p) => p.rejects.map((r) => [r.record_key.slice(-1), r.reason]))).toEqual([
      [["1", "ambiguous_match"]],
      [["3", "ambiguous_match"]],
    ]);
    expect(pages[0]!.rejects[0]!.detail).toContain("its id number is on 2 Wispro clients");
    expect(pages[0]!.rejects[0]!.detail).not.toContain("V-1");
    expect(pages[1]!.page).toBe(2);
  });

  test("a client seen on two pages is kept once, and is not its own twin", () => {
    const pages = rejectSharedIdNumbers([
      { customers: [customer(1, "V-1")], rejects: none },
      { customers: [customer(1, "V-1"), customer(2, "V-2")], rejects: none },
    ]);
    expect(pages.map((p) => p.customers.map((c) => c.public_id))).toEqual([[1], [2]]);
    expect(pages[1]!.rejects.map((r) => r.reason)).toEqual(["invalid_record"]);
  });

  test("earlier rejects of a page are kept, in front", () => {
    const earlier: SourceReject = {
      record_key: "x",
      reason: "missing_id_number",
      detail: null,
      payload: null,
    };
    const [page] = rejectSharedIdNumbers([{
      customers: [customer(1, "V-1"), customer(2, "V-1")],
      rejects: [earlier],
    }]);
    expect(page!.rejects.map((r) => r.reason)).toEqual([
      "missing_id_number",
      "ambiguous_match",
      "ambiguous_match",
    ]);
  });
});
