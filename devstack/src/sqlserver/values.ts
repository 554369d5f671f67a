// Column encoders: for each SqlType, the TYPE_INFO a COLMETADATA token carries and the bytes of a
// value inside ROW/NBCROW, as tedious decodes them (dates as UTC wall clock, tedious's default).

import type { ByteWriter } from "./byte-writer.ts";
import { encodeCp1252 } from "./cp1252.ts";
import type { ColumnSpec } from "./executor.ts";

/**
 * Collations as the 5 bytes TDS carries ([MS-TDS] 2.2.5.1.2): LCID (20 bits), flags (IgnoreCase 0x1,
 * IgnoreAccent 0x2, IgnoreKana 0x4, IgnoreWidth 0x8; the high nibble of byte 2), version, sort id.
 * CI_AS collations are case-, kana- and width-insensitive, accent-sensitive: flags 0xD in byte 2.
 */
export const Collations = {
  /** SQL_Latin1_General_CP1_CI_AS: LCID 0x0409, sort id 52 (code page 1252). */
  SQL_Latin1_General_CP1_CI_AS: Uint8Array.from([0x09, 0x04, 0xd0, 0x00, 0x34]),
  /** Modern_Spanish_CI_AS: Windows collation, LCID 0x0C0A (Spanish, modern sort), sort id 0, CP1252. */
  Modern_Spanish_CI_AS: Uint8Array.from([0x0a, 0x0c, 0xd0, 0x00, 0x00]),
} as const;
export type CollationName = keyof typeof Collations;

/** The stand-in's default collation. */
export const SERVER_COLLATION: Readonly<Uint8Array> = Collations.SQL_Latin1_General_CP1_CI_AS;

export const TypeId = {
  IntN: 0x26,
  BitN: 0x68,
  FloatN: 0x6d,
  DecimalN: 0x6a,
  NVarChar: 0xe7,
  VarChar: 0xa7,
  Char: 0xaf,
  Text: 0x23,
  NText: 0x63,
  DateN: 0x28,
  DateTimeN: 0x6f,
  DateTime2N: 0x2a,
} as const;

/** A row value that cannot be sent as its column's type; the request fails with this message. */
export class ValueEncodingError extends Error {
  constructor(column: ColumnSpec, problem: string) {
    super(`column "${column.name}" (${column.type}): ${problem}`);
    this.name = "ValueEncodingError";
  }
}

export interface ColumnEncoder {
  readonly column: ColumnSpec;
  /** TYPE_INFO, plus the table-name parts text/ntext carry in COLMETADATA. */
  writeTypeInfo(w: ByteWriter): void;
  /** A non-null value. */
  writeValue(w: ByteWriter, value: unknown): void;
  /** NULL as it appears in a ROW token (NBCROW omits it instead). */
  writeNull(w: ByteWriter): void;
}

export const MS_PER_DAY = 86_400_000;
/** date/datetime2 count days from 0001-01-01, datetime from 1900-01-01; JS from 1970-01-01. */
export const DAYS_FROM_YEAR_ONE_TO_1970 = 719_162;
export const DAYS_FROM_1900_TO_1970 = 25_567;
/** The 8-byte PLP length that means NULL. */
export const PLP_NULL = 0xffffffffffffffffn;
const TEXT_POINTER = new Uint8Array(16);
const TEXT_TIMESTAMP = new Uint8Array(8);
const ISO_WITHOUT_OFFSET = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;

/** `collation`: the database's, used for character columns that do not name their own. */
export function createColumnEncoder(
  column: ColumnSpec,
  collation: Uint8Array = SERVER_COLLATION,
): ColumnEncoder {
  const columnCollation = column.collation ? Collations[column.collation] : collation;
  switch (column.type) {
    case "smallint":
      return integerEncoder(column, 2);
    case "int":
      return integerEncoder(column, 4);
    case "bigint":
      return integerEncoder(column, 8);
    case "bit":
      return fixedEncoder(column, TypeId.BitN, 1, (w, value) => w.u8(toBit(column, value) ? 1 : 0));
    case "float":
      return fixedEncoder(column, TypeId.FloatN, 8, (w, value) => w.f64le(toFloat(column, value)));
    case "decimal":
      return decimalEncoder(column);
    case "nvarchar":
      return characterEncoder(column, 4000, 2, TypeId.NVarChar, encodeUcs2, columnCollation);
    case "varchar":
      return characterEncoder(column, 8000, 1, TypeId.VarChar, encodeCp1252, columnCollation);
    case "char":
      return fixedCharEncoder(column, columnCollation);
    case "text":
      return textEncoder(column, TypeId.Text, 0x7fffffff, encodeCp1252, columnCollation);
    case "ntext":
      return textEncoder(column, TypeId.NText, 0x7ffffffe, encodeUcs2, columnCollation);
    case "date":
      return dateEncoder(column);
    case "datetime":
      return dateTimeEncoder(column);
    case "datetime2":
      return dateTime2Encoder(column);
  }
}

function encodeUcs2(text: string): Buffer {
  return Buffer.from(text, "utf16le");
}

function fixedEncoder(
  column: ColumnSpec,
  typeId: number,
  length: number,
  write: (w: ByteWriter, value: unknown) => void,
): ColumnEncoder {
  return {
    column,
    writeTypeInfo: (w) => void w.u8(typeId).u8(length),
    writeValue: (w, value) => {
      w.u8(length);
      write(w, value);
    },
    writeNull: (w) => void w.u8(0),
  };
}

function integerEncoder(column: ColumnSpec, length: 2 | 4 | 8): ColumnEncoder {
  const bits = length * 8;
  const min = -(2 ** (bits - 1));
  const max = 2 ** (bits - 1) - 1;
  return fixedEncoder(column, TypeId.IntN, length, (w, value) => {
    // Fast path for the common case: a JS integer that fits; BigInt only for bigint and strings.
    if (
      typeof value === "number" && Number.isInteger(value) && value >= min && value <= max &&
      length !== 8
    ) {
      if (length === 2) w.u16le(value & 0xffff);
      else w.i32le(value);
      return;
    }
    const integer = toBigInt(column, value);
    if (BigInt.asIntN(bits, integer) !== integer) {
      throw new ValueEncodingError(column, `${integer} does not fit in ${length} bytes`);
    }
    w.uintLE(BigInt.asUintN(bits, integer), length);
  });
}

function toBigInt(column: ColumnSpec, value: unknown): bigint {
  try {
    if (typeof value === "bigint") return value;
    if (typeof value === "number" || typeof value === "string") return BigInt(value);
    if (typeof value === "boolean") return value ? 1n : 0n;
  } catch {
    // Falls through to the error below with the offending value.
  }
  throw new ValueEncodingError(column, `${JSON.stringify(String(value))} is not an integer`);
}

function toBit(column: ColumnSpec, value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (value === 0 || value === 1) return value === 1;
  throw new ValueEncodingError(column, `${String(value)} is not a bit (boolean, 0 or 1)`);
}

function toFloat(column: ColumnSpec, value: unknown): number {
  const number = typeof value === "string" ? Number(value) : value;
  if (typeof number === "number" && Number.isFinite(number)) return number;
  throw new ValueEncodingError(column, `${String(value)} is not a finite number`);
}

/** Bytes of a decimal's magnitude for its precision (the value length adds the sign byte). */
export function decimalMagnitudeLength(precision: number): 4 | 8 | 12 | 16 {
  if (precision <= 9) return 4;
  if (precision <= 19) return 8;
  if (precision <= 28) return 12;
  return 16;
}

/** The decimal as sign and magnitude × 10^scale, exact for decimal strings, rounding half away from zero. */
export function scaleDecimal(
  value: number | string,
  scale: number,
): { isNegative: boolean; magnitude: bigint } {
  const text = typeof value === "number" ? value.toFixed(Math.min(scale + 1, 100)) : value.trim();
  const match = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === "" && (match[3] ?? "") === "")) {
    throw new RangeError(`${JSON.stringify(text)} is not a decimal number`);
  }
  const fraction = (match[3] ?? "").padEnd(scale + 1, "0");
  let magnitude = BigInt((match[2] || "0") + fraction.slice(0, scale));
  if (Number(fraction[scale]) >= 5) magnitude += 1n;
  return { isNegative: match[1] === "-" && magnitude !== 0n, magnitude };
}

function decimalEncoder(column: ColumnSpec): ColumnEncoder {
  const precision = column.precision ?? 18;
  const scale = column.scale ?? 0;
  if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
    throw new ValueEncodingError(column, `invalid precision/scale (${precision}, ${scale})`);
  }
  const length = decimalMagnitudeLength(precision);
  const limit = 10n ** BigInt(precision);
  const fastLimit = Math.min(10 ** (precision - scale), 2 ** 53 / 10 ** scale);
  return {
    column,
    writeTypeInfo: (w) => void w.u8(TypeId.DecimalN).u8(length + 1).u8(precision).u8(scale),
    writeValue: (w, value) => {
      if (typeof value !== "number" && typeof value !== "string") {
        throw new ValueEncodingError(column, `${String(value)} is not a number or decimal string`);
      }
      if (typeof value === "number" && Math.abs(value) < fastLimit) {
        // Exact enough: a double below 2^53 / 10^scale scales without losing the digits a column keeps.
        const magnitude = Math.round(Math.abs(value) * 10 ** scale);
        if (magnitude >= 10 ** precision) {
          throw new ValueEncodingError(
            column,
            `${value} does not fit decimal(${precision}, ${scale})`,
          );
        }
        w.u8(length + 1).u8(value < 0 && magnitude !== 0 ? 0 : 1).u32le(magnitude % 0x1_0000_0000);
        if (length > 4) w.u32le(Math.floor(magnitude / 0x1_0000_0000)).zeros(length - 8);
        return;
      }
      let scaled: { isNegative: boolean; magnitude: bigint };
      try {
        scaled = scaleDecimal(value, scale);
      } catch (error) {
        throw new ValueEncodingError(column, (error as Error).message);
      }
      if (scaled.magnitude >= limit) {
        throw new ValueEncodingError(
          column,
          `${value} does not fit decimal(${precision}, ${scale})`,
        );
      }
      w.u8(length + 1).u8(scaled.isNegative ? 0 : 1).uintLE(scaled.magnitude, length);
    },
    writeNull: (w) => void w.u8(0),
  };
}

function characterEncoder(
  column: ColumnSpec,
  maxLength: number,
  bytesPerChar: 1 | 2,
  typeId: number,
  encode: (text: string) => Buffer,
  collation: Uint8Array,
): ColumnEncoder {
  const declared = column.length ?? maxLength;
  if (declared !== "max" && (declared < 1 || declared > maxLength)) {
    throw new ValueEncodingError(
      column,
      `length must be 1..${maxLength} or "max", not ${declared}`,
    );
  }
  if (declared === "max") {
    return {
      column,
      writeTypeInfo: (w) => void w.u8(typeId).u16le(0xffff).bytes(collation),
      writeValue: (w, value) => {
        const bytes = encode(String(value));
        w.u64le(BigInt(bytes.length));
        if (bytes.length > 0) w.u32le(bytes.length).bytes(bytes);
        w.u32le(0);
      },
      writeNull: (w) => void w.u64le(PLP_NULL),
    };
  }
  return {
    column,
    writeTypeInfo: (w) => void w.u8(typeId).u16le(declared * bytesPerChar).bytes(collation),
    writeValue: (w, value) => {
      const text = String(value);
      if (bytesPerChar === 2) {
        // UTF-16 code units are exactly the UCS-2 bytes / 2: no intermediate buffer needed.
        if (text.length > declared) {
          throw new ValueEncodingError(
            column,
            `a value of ${text.length} characters exceeds the declared length ${declared}`,
          );
        }
        w.u16le(text.length * 2).ucs2(text);
        return;
      }
      const bytes = encode(text);
      if (bytes.length > declared * bytesPerChar) {
        throw new ValueEncodingError(
          column,
          `a value of ${
            bytes.length / bytesPerChar
          } characters exceeds the declared length ${declared}`,
        );
      }
      w.u16le(bytes.length).bytes(bytes);
    },
    writeNull: (w) => void w.u16le(0xffff),
  };
}

/**
 * char(n): always n bytes on the wire, the value padded with spaces (SQL Server stores and returns the
 * padding; ANSI_PADDING does not apply to char).
 */
function fixedCharEncoder(column: ColumnSpec, collation: Uint8Array): ColumnEncoder {
  const declared = column.length ?? 1;
  if (declared === "max" || declared < 1 || declared > 8000) {
    throw new ValueEncodingError(column, `length must be 1..8000, not ${declared}`);
  }
  return {
    column,
    writeTypeInfo: (w) => void w.u8(TypeId.Char).u16le(declared).bytes(collation),
    writeValue: (w, value) => {
      const bytes = encodeCp1252(String(value));
      if (bytes.length > declared) {
        throw new ValueEncodingError(
          column,
          `a value of ${bytes.length} characters exceeds the declared length ${declared}`,
        );
      }
      w.u16le(declared).bytes(bytes);
      for (let i = bytes.length; i < declared; i++) w.u8(0x20);
    },
    writeNull: (w) => void w.u16le(0xffff),
  };
}

function textEncoder(
  column: ColumnSpec,
  typeId: number,
  maxLength: number,
  encode: (text: string) => Buffer,
  collation: Uint8Array,
): ColumnEncoder {
  return {
    column,
    // Zero table-name parts: the stand-in's results do not come from a named table.
    writeTypeInfo: (w) => void w.u8(typeId).u32le(maxLength).bytes(collation).u8(0),
    writeValue: (w, value) => {
      const bytes = encode(String(value));
      w.u8(TEXT_POINTER.length).bytes(TEXT_POINTER).bytes(TEXT_TIMESTAMP).u32le(bytes.length).bytes(
        bytes,
      );
    },
    writeNull: (w) => void w.u8(0),
  };
}

/** A Date, or an ISO string (read as UTC when it has no offset). */
export function toDate(column: ColumnSpec, value: unknown): Date {
  let date: Date | undefined;
  if (value instanceof Date) date = value;
  else if (typeof value === "string") {
    date = new Date(
      ISO_WITHOUT_OFFSET.test(value)
        ? value.replace(" ", "T") + (value.length > 10 ? "Z" : "")
        : value,
    );
  } else if (typeof value === "number") date = new Date(value);
  if (!date || Number.isNaN(date.getTime())) {
    throw new ValueEncodingError(column, `${String(value)} is not a date`);
  }
  return date;
}

/** Whole UTC days since 1970-01-01 and milliseconds into that day. */
function splitUtc(date: Date): { days: number; msOfDay: number } {
  const ms = date.getTime();
  const days = Math.floor(ms / MS_PER_DAY);
  return { days, msOfDay: ms - days * MS_PER_DAY };
}

function dateEncoder(column: ColumnSpec): ColumnEncoder {
  return {
    column,
    writeTypeInfo: (w) => void w.u8(TypeId.DateN),
    writeValue: (w, value) => {
      const { days } = splitUtc(toDate(column, value));
      w.u8(3).u24le(days + DAYS_FROM_YEAR_ONE_TO_1970);
    },
    writeNull: (w) => void w.u8(0),
  };
}

function dateTimeEncoder(column: ColumnSpec): ColumnEncoder {
  return fixedEncoder(column, TypeId.DateTimeN, 8, (w, value) => {
    let { days, msOfDay } = splitUtc(toDate(column, value));
    let ticks = Math.round((msOfDay * 300) / 1000);
    if (ticks === 300 * 86_400) {
      days += 1;
      ticks = 0;
    }
    w.i32le(days + DAYS_FROM_1900_TO_1970).u32le(ticks);
  });
}

/** Bytes of a time-of-day at `scale` fractional digits. */
export function timeLength(scale: number): 3 | 4 | 5 {
  if (scale <= 2) return 3;
  if (scale <= 4) return 4;
  return 5;
}

function dateTime2Encoder(column: ColumnSpec): ColumnEncoder {
  const scale = column.scale ?? 7;
  if (scale < 0 || scale > 7) {
    throw new ValueEncodingError(column, `scale must be 0..7, not ${scale}`);
  }
  const timeBytes = timeLength(scale);
  const unitsPerDay = 86_400 * 10 ** scale;
  return {
    column,
    writeTypeInfo: (w) => void w.u8(TypeId.DateTime2N).u8(scale),
    writeValue: (w, value) => {
      let { days, msOfDay } = splitUtc(toDate(column, value));
      let units = scale >= 3
        ? msOfDay * 10 ** (scale - 3)
        : Math.round(msOfDay / 10 ** (3 - scale));
      if (units >= unitsPerDay) {
        days += 1;
        units -= unitsPerDay;
      }
      w.u8(timeBytes + 3).uintLE(BigInt(units), timeBytes).u24le(days + DAYS_FROM_YEAR_ONE_TO_1970);
    },
    writeNull: (w) => void w.u8(0),
  };
}
