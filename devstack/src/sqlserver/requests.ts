// Decodes client requests: SQLBatch text and RPC sp_executesql calls with typed parameters.

import { decodeCp1252 } from "./cp1252.ts";
import type { ParamValue } from "./executor.ts";
import { TdsProtocolError } from "./packet.ts";
import {
  DAYS_FROM_1900_TO_1970,
  DAYS_FROM_YEAR_ONE_TO_1970,
  MS_PER_DAY,
  PLP_NULL,
} from "./values.ts";

export interface SqlRequest {
  sql: string;
  params: ParamValue[];
}

/** An RPC the stand-in does not implement (anything but sp_executesql); answered as SQL error 2812. */
export class UnsupportedRpcError extends Error {
  constructor(readonly procedure: string) {
    super(`Could not find stored procedure '${procedure}'.`);
    this.name = "UnsupportedRpcError";
  }
}

/** A parameter type the decoder does not know; the request fails, the connection stays up. */
export class UnsupportedParamTypeError extends Error {
  constructor(name: string, typeId: number) {
    super(
      `parameter ${name}: TDS type 0x${
        typeId.toString(16)
      } is not supported by the SQL Server stand-in`,
    );
    this.name = "UnsupportedParamTypeError";
  }
}

const SP_EXECUTESQL = 10;

/** A bounds-checked little-endian cursor over a request payload. */
class PayloadReader {
  constructor(private readonly buffer: Buffer, public position = 0) {}

  get isAtEnd(): boolean {
    return this.position >= this.buffer.length;
  }

  take(length: number): Buffer {
    if (this.position + length > this.buffer.length) {
      throw new TdsProtocolError(
        `request truncated: needed ${length} bytes at offset ${this.position}`,
      );
    }
    const bytes = this.buffer.subarray(this.position, this.position + length);
    this.position += length;
    return bytes;
  }

  u8 = (): number => this.take(1)[0]!;
  u16 = (): number => this.take(2).readUInt16LE(0);
  u32 = (): number => this.take(4).readUInt32LE(0);
  uintLE = (length: number): bigint => {
    let value = 0n;
    const bytes = this.take(length);
    for (let i = length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
    return value;
  };
  ucs2 = (chars: number): string => this.take(chars * 2).toString("utf16le");
}

function skipAllHeaders(reader: PayloadReader): void {
  const totalLength = reader.u32();
  if (totalLength < 4) throw new TdsProtocolError(`ALL_HEADERS length ${totalLength} is too short`);
  reader.take(totalLength - 4);
}

/** SQLBatch: ALL_HEADERS, then the UCS-2 batch text. */
export function parseSqlBatch(payload: Buffer): SqlRequest {
  const reader = new PayloadReader(payload);
  skipAllHeaders(reader);
  return { sql: payload.subarray(reader.position).toString("utf16le"), params: [] };
}

/** RPC: only sp_executesql, as tedious's execSql sends it (@statement, @params, then the values). */
export function parseRpc(payload: Buffer): SqlRequest {
  const reader = new PayloadReader(payload);
  skipAllHeaders(reader);
  const nameLength = reader.u16();
  if (nameLength === 0xffff) {
    const procId = reader.u16();
    if (procId !== SP_EXECUTESQL) throw new UnsupportedRpcError(`procedure id ${procId}`);
  } else {
    const name = reader.ucs2(nameLength);
    if (!/^(sys\.)?sp_executesql$/i.test(name)) throw new UnsupportedRpcError(name);
  }
  reader.u16(); // option flags: recompile and friends mean nothing to the stand-in
  const raw: Array<{ name: string; typeName: string; value: ParamValue["value"] }> = [];
  while (!reader.isAtEnd) raw.push(readParameter(reader));
  const [statement, ...rest] = raw;
  if (typeof statement?.value !== "string") {
    throw new TdsProtocolError("sp_executesql without a @statement text");
  }
  const hasDeclaration = /^@params$/i.test(rest[0]?.name ?? "");
  const declaration = hasDeclaration ? rest[0]?.value : "";
  const values = hasDeclaration ? rest.slice(1) : rest;
  const declared = parseParamDeclarations(typeof declaration === "string" ? declaration : "");
  return {
    sql: statement.value,
    params: values.map((param) => ({
      name: param.name,
      type: declared.get(param.name.toLowerCase()) ?? param.typeName,
      value: param.value,
    })),
  };
}

/** "@a nvarchar(10), @b decimal(18, 4) OUTPUT" → @a → "nvarchar(10)", @b → "decimal(18, 4)". */
export function parseParamDeclarations(declaration: string): Map<string, string> {
  const types = new Map<string, string>();
  let depth = 0;
  let current = "";
  const finish = () => {
    const match = /^\s*(@\S+)\s+(.*?)(\s+(out|output))?\s*$/i.exec(current);
    if (match) types.set(match[1]!.toLowerCase(), match[2]!);
    current = "";
  };
  for (const char of declaration) {
    if (char === "(") depth++;
    if (char === ")") depth--;
    if (char === "," && depth === 0) finish();
    else current += char;
  }
  finish();
  return types;
}

function readParameter(
  reader: PayloadReader,
): { name: string; typeName: string; value: ParamValue["value"] } {
  const name = reader.ucs2(reader.u8());
  reader.u8(); // status flags (by-ref output); outputs are not returned by the stand-in
  const typeId = reader.u8();
  switch (typeId) {
    case 0x26: { // INTN
      const length = reader.u8();
      return { name, typeName: intName(length), value: readIntN(reader) };
    }
    case 0x30:
      return { name, typeName: "tinyint", value: Number(reader.uintLE(1)) };
    case 0x34:
      return { name, typeName: "smallint", value: reader.take(2).readInt16LE(0) };
    case 0x38:
      return { name, typeName: "int", value: reader.take(4).readInt32LE(0) };
    case 0x7f:
      return { name, typeName: "bigint", value: reader.take(8).readBigInt64LE(0).toString() };
    case 0x68: // BITN
      reader.u8();
      return { name, typeName: "bit", value: reader.u8() === 0 ? null : reader.u8() !== 0 };
    case 0x32:
      return { name, typeName: "bit", value: reader.u8() !== 0 };
    case 0x6d: { // FLTN
      const length = reader.u8();
      const valueLength = reader.u8();
      const value = valueLength === 0
        ? null
        : valueLength === 4
        ? reader.take(4).readFloatLE(0)
        : reader.take(8).readDoubleLE(0);
      return { name, typeName: length === 4 ? "real" : "float", value };
    }
    case 0x6a:
    case 0x6c: { // DECIMALN, NUMERICN
      reader.u8();
      const precision = reader.u8();
      const scale = reader.u8();
      return {
        name,
        typeName: `decimal(${precision}, ${scale})`,
        value: readDecimal(reader, scale),
      };
    }
    case 0x6f: { // DATETIMN
      const length = reader.u8();
      return {
        name,
        typeName: length === 4 ? "smalldatetime" : "datetime",
        value: readDateTimeN(reader),
      };
    }
    case 0x28: { // DATEN
      const length = reader.u8();
      const value = length === 0
        ? null
        : new Date((Number(reader.uintLE(3)) - DAYS_FROM_YEAR_ONE_TO_1970) * MS_PER_DAY);
      return { name, typeName: "date", value };
    }
    case 0x2a: { // DATETIME2N
      const scale = reader.u8();
      return { name, typeName: `datetime2(${scale})`, value: readDateTime2(reader, scale) };
    }
    case 0xe7:
    case 0xef: // NVARCHAR, NCHAR
      return readCharacters(
        reader,
        name,
        typeId === 0xe7 ? "nvarchar" : "nchar",
        2,
        (b) => b.toString("utf16le"),
      );
    case 0xa7:
    case 0xaf: // BIGVARCHAR, BIGCHAR
      return readCharacters(reader, name, typeId === 0xa7 ? "varchar" : "char", 1, decodeCp1252);
    default:
      throw new UnsupportedParamTypeError(name, typeId);
  }
}

function intName(length: number): string {
  return ({ 1: "tinyint", 2: "smallint", 4: "int", 8: "bigint" } as Record<number, string>)[
    length
  ] ?? "int";
}

function readIntN(reader: PayloadReader): number | string | null {
  const length = reader.u8();
  const bytes = reader.take(length);
  switch (length) {
    case 0:
      return null;
    case 1:
      return bytes[0]!;
    case 2:
      return bytes.readInt16LE(0);
    case 4:
      return bytes.readInt32LE(0);
    case 8:
      return bytes.readBigInt64LE(0).toString();
    default:
      throw new TdsProtocolError(`INTN value of ${length} bytes`);
  }
}

function readDecimal(reader: PayloadReader, scale: number): number | null {
  const length = reader.u8();
  if (length === 0) return null;
  const isPositive = reader.u8() === 1;
  const digits = reader.uintLE(length - 1).toString().padStart(scale + 1, "0");
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return Number((isPositive ? "" : "-") + text);
}

function readDateTimeN(reader: PayloadReader): Date | null {
  const length = reader.u8();
  if (length === 0) return null;
  if (length === 4) {
    const days = reader.u16();
    const minutes = reader.u16();
    return new Date((days - DAYS_FROM_1900_TO_1970) * MS_PER_DAY + minutes * 60_000);
  }
  const days = reader.take(4).readInt32LE(0);
  const ticks = reader.u32();
  return new Date((days - DAYS_FROM_1900_TO_1970) * MS_PER_DAY + Math.round((ticks * 1000) / 300));
}

function readDateTime2(reader: PayloadReader, scale: number): Date | null {
  const length = reader.u8();
  if (length === 0) return null;
  const units = Number(reader.uintLE(length - 3));
  const days = Number(reader.uintLE(3));
  const msOfDay = Math.round(units / 10 ** (scale - 3));
  return new Date((days - DAYS_FROM_YEAR_ONE_TO_1970) * MS_PER_DAY + msOfDay);
}

function readCharacters(
  reader: PayloadReader,
  name: string,
  typeName: string,
  bytesPerChar: 1 | 2,
  decode: (bytes: Buffer) => string,
): { name: string; typeName: string; value: string | null } {
  const maxLength = reader.u16();
  reader.take(5); // collation: the stand-in only speaks code page 1252
  if (maxLength === 0xffff) {
    return { name, typeName: `${typeName}(max)`, value: readPlp(reader, decode) };
  }
  const length = reader.u16();
  const declaredType = `${typeName}(${maxLength / bytesPerChar})`;
  return {
    name,
    typeName: declaredType,
    value: length === 0xffff ? null : decode(reader.take(length)),
  };
}

/** Partially length-prefixed value: 8-byte total (or NULL marker), chunks, zero terminator. */
function readPlp(reader: PayloadReader, decode: (bytes: Buffer) => string): string | null {
  if (reader.uintLE(8) === PLP_NULL) return null;
  const chunks: Buffer[] = [];
  for (let length = reader.u32(); length !== 0; length = reader.u32()) {
    chunks.push(reader.take(length));
  }
  return decode(Buffer.concat(chunks));
}
