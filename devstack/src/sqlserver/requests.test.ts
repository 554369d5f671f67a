import { describe, expect, test } from "bun:test";
import {
  parseParamDeclarations,
  parseRpc,
  parseSqlBatch,
  UnsupportedParamTypeError,
  UnsupportedRpcError,
} from "./requests.ts";

// ALL_HEADERS with one transaction-descriptor header (MS-TDS 2.2.5.3): 22 bytes in total.
const ALL_HEADERS = [22, 0, 0, 0, 18, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0];
const COLLATION = [0x09, 0x04, 0xd0, 0x00, 0x34];
const ucs2 = (text: string) => [...Buffer.from(text, "utf16le")];
const u16 = (n: number) => [n & 0xff, n >> 8];
const u32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
const bName = (name: string) => [name.length, ...ucs2(name)];

const nvarcharParam = (name: string, text: string | null, maxChars = 4000) => [
  ...bName(name),
  0,
  0xe7,
  ...u16(maxChars * 2),
  ...COLLATION,
  ...(text === null ? [0xff, 0xff] : [...u16(text.length * 2), ...ucs2(text)]),
];

function rpc(...params: number[][]): Buffer {
  return Buffer.from([...ALL_HEADERS, 0xff, 0xff, 10, 0, 0, 0, ...params.flat()]);
}

describe("parseSqlBatch", () => {
  test("skips ALL_HEADERS by its declared length and reads UCS-2", () => {
    expect(parseSqlBatch(Buffer.from([...ALL_HEADERS, ...ucs2("SELECT 'ñ'")]))).toEqual({
      sql: "SELECT 'ñ'",
      params: [],
    });
    // A different header length must be honoured, not assumed.
    const longer = [26, 0, 0, 0, ...ALL_HEADERS.slice(4), 9, 9, 9, 9];
    expect(parseSqlBatch(Buffer.from([...longer, ...ucs2("x")])).sql).toBe("x");
  });
});

describe("parseRpc (sp_executesql)", () => {
  test("statement only, no parameters", () => {
    expect(parseRpc(rpc(nvarcharParam("@statement", "SELECT 1")))).toEqual({
      sql: "SELECT 1",
      params: [],
    });
  });

  test("decodes every supported parameter type and takes declared types from @params", () => {
    const declaration =
      "@s nvarchar(10), @v varchar(5), @i int, @t tinyint, @g bigint, @b bit, @f float, @d decimal(10, 2), @dt datetime, @d2 datetime2(3), @dd date, @n int";
    const payload = rpc(
      nvarcharParam("@statement", "SELECT @s"),
      nvarcharParam("@params", declaration),
      nvarcharParam("@s", "Añ", 10),
      [...bName("@v"), 0, 0xa7, ...u16(5), ...COLLATION, ...u16(5), 0xd1, 0x61, 0x6e, 0x64, 0xfa],
      [...bName("@i"), 0, 0x26, 4, 4, ...u32(-5 >>> 0)],
      [...bName("@t"), 0, 0x26, 1, 1, 200],
      [...bName("@g"), 0, 0x26, 8, 8, 0x01, 0, 0, 0, 0, 0, 0x20, 0],
      [...bName("@b"), 0, 0x68, 1, 1, 1],
      [...bName("@f"), 0, 0x6d, 8, 8, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f],
      [...bName("@d"), 0, 0x6a, 9, 10, 2, 9, 0, 0x41, 0xe2, 0x01, 0, 0, 0, 0, 0],
      [...bName("@dt"), 0, 0x6f, 8, 8, 0, 0, 0, 0, ...u32(300)],
      [...bName("@d2"), 0, 0x2a, 3, 7, 1, 0, 0, 0, 0x3a, 0xf9, 0x0a],
      [...bName("@dd"), 0, 0x28, 3, 1, 0, 0],
      [...bName("@n"), 0, 0x26, 4, 0],
    );
    const { sql, params } = parseRpc(payload);
    expect(sql).toBe("SELECT @s");
    expect(params).toEqual([
      { name: "@s", type: "nvarchar(10)", value: "Añ" },
      { name: "@v", type: "varchar(5)", value: "Ñandú" },
      { name: "@i", type: "int", value: -5 },
      { name: "@t", type: "tinyint", value: 200 },
      { name: "@g", type: "bigint", value: "9007199254740993" },
      { name: "@b", type: "bit", value: true },
      { name: "@f", type: "float", value: 1.5 },
      { name: "@d", type: "decimal(10, 2)", value: -1234.57 },
      { name: "@dt", type: "datetime", value: new Date("1900-01-01T00:00:01Z") },
      { name: "@d2", type: "datetime2(3)", value: new Date("1970-01-01T00:00:00.001Z") },
      { name: "@dd", type: "date", value: new Date("0001-01-02T00:00:00Z") },
      { name: "@n", type: "int", value: null },
    ]);
  });

  test("PLP nvarchar(max) in several chunks, and PLP NULL", () => {
    const payload = rpc(
      nvarcharParam("@statement", "x"),
      [
        ...bName("@long"),
        0,
        0xe7,
        0xff,
        0xff,
        ...COLLATION,
        ...Array(8).fill(0xfe),
        ...u32(2),
        ...ucs2("a"),
        ...u32(4),
        ...ucs2("bc"),
        0,
        0,
        0,
        0,
      ],
      [...bName("@none"), 0, 0xe7, 0xff, 0xff, ...COLLATION, ...Array(8).fill(0xff)],
      nvarcharParam("@nul", null),
    );
    expect(parseRpc(payload).params).toEqual([
      { name: "@long", type: "nvarchar(max)", value: "abc" },
      { name: "@none", type: "nvarchar(max)", value: null },
      { name: "@nul", type: "nvarchar(4000)", value: null },
    ]);
  });

  test("other procedures and unknown types are refused with named errors", () => {
    expect(() => parseRpc(Buffer.from([...ALL_HEADERS, 0xff, 0xff, 12, 0, 0, 0]))).toThrow(
      UnsupportedRpcError,
    );
    const named = Buffer.from([...ALL_HEADERS, 4, 0, ...ucs2("sp_x"), 0, 0]);
    expect(() => parseRpc(named)).toThrow(/sp_x/);
    expect(() => parseRpc(rpc(nvarcharParam("@statement", "x"), [...bName("@u"), 0, 0x24, 16, 0])))
      .toThrow(
        UnsupportedParamTypeError,
      );
  });
});

test("parseParamDeclarations splits on top-level commas only", () => {
  expect([...parseParamDeclarations("@a decimal(18, 4), @B nvarchar(max) OUTPUT,@c int")]).toEqual([
    ["@a", "decimal(18, 4)"],
    ["@b", "nvarchar(max)"],
    ["@c", "int"],
  ]);
});
