// BINARY_CHECKSUM and CHECKSUM_AGG against values SQL Server returned, as published.
import { describe, expect, test } from "bun:test";
import { binaryChecksum, checksumAgg, varcharChecksumBytes } from "./checksum.ts";
import { encodeCp1252 } from "./cp1252.ts";

const varchar = (s: string) => binaryChecksum(varcharChecksumBytes(s, encodeCp1252));

describe("BINARY_CHECKSUM", () => {
  // Published with SQL Server's output in the StackOverflow question "byte representation in
  // BINARY_CHECKSUM()" (2011) and its answer, and in the exchangetuts/51cto copies of it.
  test("matches SQL Server's published values", () => {
    expect(varchar("2Volvo Director 20")).toBe(-1356512636);
    expect(varchar("3Volvo Director 30")).toBe(-1356512636);
    expect(varchar("2Volvo Director20")).toBe(1257395465);
    expect(varchar("3Volvo Director30")).toBe(1257395480);
  });

  test("collides where SQL Server is known to (sqltopia: 'bQ' and 'aa'), and cycles every 16 bytes", () => {
    expect(varchar("bQ")).toBe(varchar("aa"));
    expect(varchar("a".repeat(16))).toBe(0);
    expect(varchar("A")).toBe(65);
  });

  test("trailing spaces do not count; case does", () => {
    expect(varchar("abc   ")).toBe(varchar("abc"));
    expect(varchar("ABC")).not.toBe(varchar("abc"));
  });
});

describe("CHECKSUM_AGG", () => {
  test("is an XOR that ignores NULLs, so equal changes in two rows cancel", () => {
    expect(checksumAgg([5, null, 3])).toBe(6);
    expect(checksumAgg([null])).toBeNull();
    const before = [varchar("12"), varchar("14")];
    const after = [varchar("13"), varchar("15")]; // 2→3 and 4→5: both flip bit 0
    expect(checksumAgg(after)).toBe(checksumAgg(before));
  });
});
