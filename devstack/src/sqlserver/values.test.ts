import { describe, expect, test } from "bun:test";
import { ByteWriter } from "./byte-writer.ts";
import type { ColumnSpec } from "./executor.ts";
import { createColumnEncoder, scaleDecimal, ValueEncodingError } from "./values.ts";

const COLLATION = [0x09, 0x04, 0xd0, 0x00, 0x34];

function typeInfo(column: ColumnSpec): number[] {
  const w = new ByteWriter();
  createColumnEncoder(column).writeTypeInfo(w);
  return [...w.view()];
}

function value(column: ColumnSpec, v: unknown): number[] {
  const w = new ByteWriter();
  const encoder = createColumnEncoder(column);
  if (v == null) encoder.writeNull(w);
  else encoder.writeValue(w, v);
  return [...w.view()];
}

const col = (type: ColumnSpec["type"], extra: Partial<ColumnSpec> = {}): ColumnSpec => ({
  name: "c",
  type,
  ...extra,
});

describe("integers (INTN)", () => {
  test("int, smallint and bigint widths, little-endian two's complement", () => {
    expect(typeInfo(col("int"))).toEqual([0x26, 4]);
    expect(value(col("int"), 258)).toEqual([4, 0x02, 0x01, 0, 0]);
    expect(typeInfo(col("smallint"))).toEqual([0x26, 2]);
    expect(value(col("smallint"), -2)).toEqual([2, 0xfe, 0xff]);
    expect(typeInfo(col("bigint"))).toEqual([0x26, 8]);
    // 2^53 + 1 is not a safe JS number: strings keep it exact.
    expect(value(col("bigint"), "9007199254740993")).toEqual([8, 0x01, 0, 0, 0, 0, 0, 0x20, 0]);
    expect(value(col("bigint"), -1n)).toEqual([8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(value(col("int"), null)).toEqual([0]);
  });

  test("out of range and fractional values are rejected", () => {
    expect(() => value(col("smallint"), 40000)).toThrow(ValueEncodingError);
    expect(() => value(col("int"), 1.5)).toThrow(/not an integer/);
  });
});

describe("bit and float", () => {
  test("bit is BITN 1", () => {
    expect(typeInfo(col("bit"))).toEqual([0x68, 1]);
    expect(value(col("bit"), true)).toEqual([1, 1]);
    expect(value(col("bit"), 0)).toEqual([1, 0]);
    expect(value(col("bit"), null)).toEqual([0]);
  });

  test("float is FLTN 8 with an IEEE double", () => {
    expect(typeInfo(col("float"))).toEqual([0x6d, 8]);
    expect(value(col("float"), 1.5)).toEqual([8, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f]);
  });
});

describe("decimal (DECIMALN)", () => {
  test("precision picks the length; sign byte then scaled magnitude", () => {
    expect(typeInfo(col("decimal", { precision: 5, scale: 2 }))).toEqual([0x6a, 5, 5, 2]);
    expect(value(col("decimal", { precision: 5, scale: 2 }), 12.5)).toEqual([
      5,
      1,
      0xe2,
      0x04,
      0,
      0,
    ]);
    expect(typeInfo(col("decimal", { precision: 10, scale: 2 }))).toEqual([0x6a, 9, 10, 2]);
    // -1234.565 rounds half away from zero to -123457 hundredths.
    expect(value(col("decimal", { precision: 10, scale: 2 }), "-1234.565")).toEqual([
      9,
      0,
      0x41,
      0xe2,
      0x01,
      0,
      0,
      0,
      0,
      0,
    ]);
    expect(typeInfo(col("decimal", { precision: 38, scale: 0 }))).toEqual([0x6a, 17, 38, 0]);
  });

  test("numbers and strings encode alike at every width", () => {
    for (const precision of [5, 15, 20, 38]) {
      const column = col("decimal", { precision, scale: 2 });
      expect(value(column, -1.5)).toEqual(value(column, "-1.50"));
      expect(value(column, 12.125)).toEqual(value(column, "12.13"));
    }
    expect(value(col("decimal", { precision: 20, scale: 2 }), 1.5)).toEqual([
      13,
      1,
      150,
      ...Array(11).fill(0),
    ]);
    expect(() => value(col("decimal", { precision: 5, scale: 2 }), 999.996)).toThrow(
      /does not fit/,
    );
  });

  test("defaults to decimal(18, 0) and rejects overflow", () => {
    expect(typeInfo(col("decimal"))).toEqual([0x6a, 9, 18, 0]);
    expect(() => value(col("decimal", { precision: 3, scale: 1 }), 100)).toThrow(/does not fit/);
  });

  test("scaleDecimal is exact on strings", () => {
    expect(scaleDecimal("12345678901234567890.12", 2)).toEqual({
      isNegative: false,
      magnitude: 1234567890123456789012n,
    });
    expect(scaleDecimal("-0.001", 2)).toEqual({ isNegative: false, magnitude: 0n });
    expect(() => scaleDecimal("1e5", 0)).toThrow(RangeError);
  });
});

describe("character types", () => {
  test("nvarchar(n): byte length in TYPE_INFO, USHORT length + UCS-2 value, FFFF for NULL", () => {
    expect(typeInfo(col("nvarchar", { length: 10 }))).toEqual([0xe7, 20, 0, ...COLLATION]);
    expect(value(col("nvarchar", { length: 10 }), "Añ")).toEqual([4, 0, 0x41, 0, 0xf1, 0]);
    expect(value(col("nvarchar", { length: 10 }), null)).toEqual([0xff, 0xff]);
    expect(() => value(col("nvarchar", { length: 1 }), "ab")).toThrow(
      /exceeds the declared length 1/,
    );
  });

  test("nvarchar(max) is PLP: total length, one chunk, terminator; NULL is all FF", () => {
    expect(typeInfo(col("nvarchar", { length: "max" }))).toEqual([0xe7, 0xff, 0xff, ...COLLATION]);
    expect(value(col("nvarchar", { length: "max" }), "ab")).toEqual([
      4,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      4,
      0,
      0,
      0,
      0x61,
      0,
      0x62,
      0,
      0,
      0,
      0,
      0,
    ]);
    expect(value(col("nvarchar", { length: "max" }), "")).toEqual([
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
    ]);
    expect(value(col("nvarchar", { length: "max" }), null)).toEqual(Array(8).fill(0xff));
  });

  test("varchar is CP1252 bytes", () => {
    expect(typeInfo(col("varchar", { length: 5 }))).toEqual([0xa7, 5, 0, ...COLLATION]);
    expect(value(col("varchar", { length: 5 }), "Ñandú")).toEqual([
      5,
      0,
      0xd1,
      0x61,
      0x6e,
      0x64,
      0xfa,
    ]);
  });

  test("ntext and text carry text pointer, timestamp and a 4-byte length", () => {
    expect(typeInfo(col("ntext"))).toEqual([0x63, 0xfe, 0xff, 0xff, 0x7f, ...COLLATION, 0]);
    expect(typeInfo(col("text"))).toEqual([0x23, 0xff, 0xff, 0xff, 0x7f, ...COLLATION, 0]);
    expect(value(col("ntext"), "hi")).toEqual([
      16,
      ...Array(24).fill(0),
      4,
      0,
      0,
      0,
      0x68,
      0,
      0x69,
      0,
    ]);
    expect(value(col("text"), "é")).toEqual([16, ...Array(24).fill(0), 1, 0, 0, 0, 0xe9]);
    expect(value(col("ntext"), null)).toEqual([0]);
  });
});

describe("dates (UTC wall clock)", () => {
  test("date counts days from 0001-01-01 in 3 bytes", () => {
    expect(typeInfo(col("date"))).toEqual([0x28]);
    expect(value(col("date"), "0001-01-02")).toEqual([3, 1, 0, 0]);
    expect(value(col("date"), new Date("1970-01-01T23:59:59Z"))).toEqual([3, 0x3a, 0xf9, 0x0a]);
  });

  test("datetime: days from 1900-01-01 and 1/300 s ticks", () => {
    expect(typeInfo(col("datetime"))).toEqual([0x6f, 8]);
    expect(value(col("datetime"), "1900-01-01 00:00:01")).toEqual([
      8,
      0,
      0,
      0,
      0,
      0x2c,
      0x01,
      0,
      0,
    ]);
    expect(value(col("datetime"), "1899-12-31T00:00:00Z")).toEqual([
      8,
      0xff,
      0xff,
      0xff,
      0xff,
      0,
      0,
      0,
      0,
    ]);
    // 23:59:59.999 rounds up to the next midnight.
    expect(value(col("datetime"), "1900-01-01T23:59:59.999Z")).toEqual([8, 1, 0, 0, 0, 0, 0, 0, 0]);
  });

  test("datetime2(s): time in 10^-s units (3-5 bytes), then 3-byte days", () => {
    expect(typeInfo(col("datetime2", { scale: 3 }))).toEqual([0x2a, 3]);
    expect(value(col("datetime2", { scale: 3 }), "1970-01-01T00:00:00.001")).toEqual([
      7,
      1,
      0,
      0,
      0,
      0x3a,
      0xf9,
      0x0a,
    ]);
    expect(typeInfo(col("datetime2"))).toEqual([0x2a, 7]);
    expect(value(col("datetime2"), "1970-01-01T12:00:00Z")).toEqual([
      8,
      0x00,
      0xe0,
      0x34,
      0x95,
      0x64,
      0x3a,
      0xf9,
      0x0a,
    ]);
    expect(value(col("datetime2", { scale: 0 }), null)).toEqual([0]);
  });

  test("garbage is not a date", () => {
    expect(() => value(col("date"), "mañana")).toThrow(ValueEncodingError);
  });
});
