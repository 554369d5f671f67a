// Token encoders for the server's response stream: ENVCHANGE, LOGINACK, ERROR, DONE*, RETURNSTATUS,
// COLMETADATA and ROW/NBCROW.

import { ByteWriter } from "./byte-writer.ts";
import { SERVER_VERSION, type ServerVersion } from "./login.ts";
import type { ColumnEncoder } from "./values.ts";

export const TokenType = {
  ColMetadata: 0x81,
  Error: 0xaa,
  LoginAck: 0xad,
  Sspi: 0xed,
  ReturnStatus: 0x79,
  Row: 0xd1,
  NbcRow: 0xd2,
  EnvChange: 0xe3,
  Done: 0xfd,
  DoneProc: 0xfe,
  DoneInProc: 0xff,
} as const;

export const DoneStatus = {
  Final: 0x00,
  More: 0x01,
  Error: 0x02,
  Count: 0x10,
  Attention: 0x20,
} as const;

export const EnvChangeType = {
  Database: 1,
  Language: 2,
  PacketSize: 4,
  Collation: 7,
  BeginTransaction: 8,
  CommitTransaction: 9,
  RollbackTransaction: 10,
} as const;

/** TDS versions in LOGINACK's byte order ([MS-TDS] 2.2.7.14): 7.4 (SQL Server 2012+), 7.3B (2008 R2). */
export const TdsVersion = {
  "7.4": Uint8Array.from([0x74, 0x00, 0x00, 0x04]),
  "7.3": Uint8Array.from([0x73, 0x0b, 0x00, 0x03]),
} as const;
export type TdsVersionName = keyof typeof TdsVersion;
const CURCMD_SELECT = 0xc1;

/** ENVCHANGE with B_VARCHAR new and old values (database, language, packet size). */
export function writeEnvChange(
  w: ByteWriter,
  type: number,
  newValue: string,
  oldValue: string,
): void {
  w.u8(TokenType.EnvChange).u16le(1 + 1 + newValue.length * 2 + 1 + oldValue.length * 2);
  w.u8(type).bVarchar(newValue).bVarchar(oldValue);
}

/** ENVCHANGE type 7: the 5-byte collation as B_VARBYTE, with an empty old value. */
export function writeCollationChange(w: ByteWriter, collation: Uint8Array): void {
  w.u8(TokenType.EnvChange).u16le(1 + 1 + collation.length + 1);
  w.u8(EnvChangeType.Collation).u8(collation.length).bytes(collation).u8(0);
}

export function writeLoginAck(
  w: ByteWriter,
  programName: string,
  tdsVersion: TdsVersionName = "7.4",
  serverVersion: ServerVersion = SERVER_VERSION,
): void {
  w.u8(TokenType.LoginAck).u16le(1 + 4 + 1 + programName.length * 2 + 4);
  w.u8(1).bytes(TdsVersion[tdsVersion]).bVarchar(programName);
  w.u8(serverVersion.major).u8(serverVersion.minor).u8(serverVersion.build >> 8).u8(
    serverVersion.build & 0xff,
  );
}

/** SSPI token: one step of a Windows-authentication handshake (here an NTLM CHALLENGE). */
export function writeSspi(w: ByteWriter, data: Uint8Array): void {
  w.u8(TokenType.Sspi).u16le(data.length).bytes(data);
}

export interface ErrorInfo {
  number: number;
  state: number;
  class: number;
  message: string;
  serverName: string;
  procName?: string;
  line?: number;
}

export function writeError(w: ByteWriter, error: ErrorInfo): void {
  const procName = error.procName ?? "";
  // US_VARCHAR messages are limited to 65535 characters.
  const message = error.message.slice(0, 4000);
  const length = 4 + 1 + 1 + 2 + message.length * 2 + 1 + error.serverName.length * 2 + 1 +
    procName.length * 2 + 4;
  w.u8(TokenType.Error).u16le(length);
  w.i32le(error.number).u8(error.state).u8(error.class);
  w.usVarchar(message).bVarchar(error.serverName).bVarchar(procName).i32le(error.line ?? 1);
}

export type DoneToken =
  | typeof TokenType.Done
  | typeof TokenType.DoneProc
  | typeof TokenType.DoneInProc;

export function writeDone(w: ByteWriter, token: DoneToken, status: number, rowCount = 0): void {
  w.u8(token).u16le(status).u16le(CURCMD_SELECT).u64le(BigInt(rowCount));
}

export function writeReturnStatus(w: ByteWriter, value: number): void {
  w.u8(TokenType.ReturnStatus).i32le(value);
}

const FLAG_NULLABLE = 0x0001;

export function writeColMetadata(w: ByteWriter, encoders: readonly ColumnEncoder[]): void {
  w.u8(TokenType.ColMetadata).u16le(encoders.length);
  for (const encoder of encoders) {
    w.u32le(0).u16le(encoder.column.nullable === false ? 0 : FLAG_NULLABLE);
    encoder.writeTypeInfo(w);
    w.bVarchar(encoder.column.name);
  }
}

/**
 * One row: ROW when every value is present, NBCROW (null bitmap, nulls omitted) otherwise.
 * `undefined` counts as NULL, as does a row shorter than the column list.
 */
export function writeRow(
  w: ByteWriter,
  encoders: readonly ColumnEncoder[],
  row: readonly unknown[],
): void {
  let hasNull = false;
  for (let i = 0; i < encoders.length; i++) {
    if (row[i] == null) {
      hasNull = true;
      break;
    }
  }
  if (!hasNull) {
    w.u8(TokenType.Row);
    for (let i = 0; i < encoders.length; i++) encoders[i]!.writeValue(w, row[i]);
    return;
  }
  w.u8(TokenType.NbcRow);
  for (let byteIndex = 0; byteIndex < Math.ceil(encoders.length / 8); byteIndex++) {
    let bits = 0;
    for (let bit = 0; bit < 8; bit++) {
      const column = byteIndex * 8 + bit;
      if (column < encoders.length && row[column] == null) bits |= 1 << bit;
    }
    w.u8(bits);
  }
  for (let i = 0; i < encoders.length; i++) {
    if (row[i] != null) encoders[i]!.writeValue(w, row[i]);
  }
}
