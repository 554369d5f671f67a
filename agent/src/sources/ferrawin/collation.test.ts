import { describe, expect, test } from "bun:test";
import { compareSqlText, isSqlTextEqual, sqlTextKey } from "./collation.ts";

describe("Modern_Spanish_CI_AS order and equality", () => {
  test("case-insensitive and trailing-space-insensitive, accent-sensitive", () => {
    expect(isSqlTextEqual("a1", "A1  ")).toBe(true);
    expect(isSqlTextEqual("2026-00012a", "2026-00012A")).toBe(true);
    expect(isSqlTextEqual("peña", "pena")).toBe(false);
    expect(isSqlTextEqual("José", "JOSE")).toBe(false);
    expect(isSqlTextEqual("José", "JOSÉ")).toBe(true);
    expect(isSqlTextEqual(" a", "a")).toBe(false);
  });

  test("orders as the collation does, where JavaScript's < does not", () => {
    const codes = ["b2", "A1", "ñ1", "N1", "o1", "á1", "a1 "];
    const sorted = [...codes].sort(compareSqlText);
    expect(sorted).toEqual(["A1", "a1 ", "á1", "b2", "N1", "ñ1", "o1"]);
    // JavaScript's own order puts upper case first and ñ/á after every ASCII letter.
    expect([...codes].sort()).toEqual(["A1", "N1", "a1 ", "b2", "o1", "á1", "ñ1"]);
  });

  test("the Map key groups exactly the strings SQL Server groups", () => {
    expect(sqlTextKey("a1  ")).toBe(sqlTextKey("A1"));
    expect(sqlTextKey("ñ")).toBe(sqlTextKey("Ñ"));
    expect(sqlTextKey("n")).not.toBe(sqlTextKey("ñ"));
    expect(sqlTextKey("é")).not.toBe(sqlTextKey("e"));
  });
});
