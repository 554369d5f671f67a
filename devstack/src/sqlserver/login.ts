// The handshake messages: PRELOGIN option tables and the LOGIN7 record (with password descrambling).

import { ByteWriter } from "./byte-writer.ts";
import { TdsProtocolError } from "./packet.ts";

export const PreloginOption = {
  Version: 0x00,
  Encryption: 0x01,
  InstOpt: 0x02,
  ThreadId: 0x03,
  Mars: 0x04,
  Terminator: 0xff,
} as const;

/** PRELOGIN ENCRYPTION values ([MS-TDS] 2.2.6.5). */
export const Encryption = {
  /** Encryption available but off: only the LOGIN7 record travels inside TLS. */
  Off: 0x00,
  /** Encryption on for the whole session. */
  On: 0x01,
  /** No TLS at all; the session stays in clear text. */
  NotSupported: 0x02,
  /** The server requires encryption for the whole session. */
  Required: 0x03,
} as const;

/** ENCRYPTION value meaning "this server has no TLS"; the session then stays in clear text. */
export const ENCRYPT_NOT_SUP = Encryption.NotSupported;

export interface ServerVersion {
  major: number;
  minor: number;
  build: number;
}

/** The server version the stand-in announces by default (SQL Server 2022 = 16.0). */
export const SERVER_VERSION: ServerVersion = { major: 16, minor: 0, build: 1000 };

/** Reads a PRELOGIN option table into token → data. */
export function parsePrelogin(payload: Buffer): Map<number, Buffer> {
  const options = new Map<number, Buffer>();
  let position = 0;
  while (true) {
    const token = payload[position];
    if (token === undefined) throw new TdsProtocolError("PRELOGIN option table has no terminator");
    if (token === PreloginOption.Terminator) return options;
    if (position + 5 > payload.length) {
      throw new TdsProtocolError("PRELOGIN option table is truncated");
    }
    const offset = payload.readUInt16BE(position + 1);
    const length = payload.readUInt16BE(position + 3);
    if (offset + length > payload.length) {
      throw new TdsProtocolError(`PRELOGIN option 0x${token.toString(16)} points past the payload`);
    }
    options.set(token, payload.subarray(offset, offset + length));
    position += 5;
  }
}

/**
 * The ENCRYPTION answer of a server to a client's ENCRYPTION option ([MS-TDS] 2.2.6.5, the table of
 * client × server settings), or "terminate" where SQL Server ends the connection. `server` is what the
 * server is set up with: no certificate (NOT_SUP), a certificate (OFF), or Force Encryption (REQ).
 */
export function negotiateEncryption(
  client: number | undefined,
  server: "none" | "available" | "required",
): number | "terminate" {
  const wanted = client ?? Encryption.NotSupported;
  if (server === "none") {
    return wanted === Encryption.Required ? "terminate" : Encryption.NotSupported;
  }
  if (server === "available") {
    if (wanted === Encryption.NotSupported) return Encryption.NotSupported;
    return wanted === Encryption.Off ? Encryption.Off : Encryption.On;
  }
  if (wanted === Encryption.NotSupported) return "terminate";
  return wanted === Encryption.Off ? Encryption.Required : Encryption.On;
}

/** The server's PRELOGIN answer: version, the negotiated encryption, no instance check, no MARS. */
export function buildPreloginResponse(
  encryption: number = ENCRYPT_NOT_SUP,
  serverVersion: ServerVersion = SERVER_VERSION,
): Buffer {
  const version = new ByteWriter(6)
    .u8(serverVersion.major)
    .u8(serverVersion.minor)
    .u16be(serverVersion.build)
    .u16be(0)
    .toBuffer();
  const entries: Array<[number, Buffer]> = [
    [PreloginOption.Version, version],
    [PreloginOption.Encryption, Buffer.from([encryption])],
    [PreloginOption.InstOpt, Buffer.from([0x00])],
    [PreloginOption.ThreadId, Buffer.alloc(0)],
    [PreloginOption.Mars, Buffer.from([0x00])],
  ];
  const table = new ByteWriter();
  const data = new ByteWriter();
  let offset = entries.length * 5 + 1;
  for (const [token, value] of entries) {
    table.u8(token).u16be(offset).u16be(value.length);
    data.bytes(value);
    offset += value.length;
  }
  table.u8(PreloginOption.Terminator);
  return Buffer.concat([table.view(), data.view()]);
}

export interface Login7 {
  tdsVersion: number;
  packetSize: number;
  hostName: string;
  userName: string;
  password: string;
  appName: string;
  serverName: string;
  language: string;
  database: string;
  /** OptionFlags2 fIntSecurity: the client logs in with Windows authentication (SSPI). */
  isIntegratedSecurity: boolean;
  /** The SSPI blob (an NTLM NEGOTIATE message from tedious); empty for SQL logins. */
  sspi: Buffer;
}

const FIXED_LENGTH = 94;
const OPTION_FLAGS2_INTEGRATED_SECURITY = 0x80;
const SSPI_OFFSET = 78;
const SSPI_LONG_OFFSET = 90;

/** ibSSPI/cbSSPI (bytes, not characters); cbSSPI 0xFFFF means the length is cbSSPILong. */
function sspiField(payload: Buffer): Buffer {
  const offset = payload.readUInt16LE(SSPI_OFFSET);
  let length = payload.readUInt16LE(SSPI_OFFSET + 2);
  if (length === 0xffff) length = payload.readUInt32LE(SSPI_LONG_OFFSET);
  if (offset + length > payload.length) {
    throw new TdsProtocolError("LOGIN7 SSPI field points past the payload");
  }
  return payload.subarray(offset, offset + length);
}

/** Undoes the LOGIN7 password scrambling: swap each byte's nibbles, then XOR 0xA5. */
export function descramblePassword(scrambled: Uint8Array): Buffer {
  const plain = Buffer.allocUnsafe(scrambled.length);
  for (let i = 0; i < scrambled.length; i++) {
    const byte = scrambled[i]! ^ 0xa5;
    plain[i] = ((byte & 0x0f) << 4) | (byte >> 4);
  }
  return plain;
}

export function parseLogin7(payload: Buffer): Login7 {
  if (payload.length < FIXED_LENGTH) {
    throw new TdsProtocolError(`LOGIN7 is ${payload.length} bytes, shorter than its fixed part`);
  }
  const field = (at: number): Buffer => {
    const offset = payload.readUInt16LE(at);
    const bytes = payload.readUInt16LE(at + 2) * 2;
    if (offset + bytes > payload.length) {
      throw new TdsProtocolError(`LOGIN7 field at ${at} points past the payload`);
    }
    return payload.subarray(offset, offset + bytes);
  };
  const text = (at: number): string => field(at).toString("utf16le");
  return {
    tdsVersion: payload.readUInt32LE(4),
    packetSize: payload.readUInt32LE(8),
    hostName: text(36),
    userName: text(40),
    password: descramblePassword(field(44)).toString("utf16le"),
    appName: text(48),
    serverName: text(52),
    language: text(64),
    database: text(68),
    isIntegratedSecurity: (payload[25]! & OPTION_FLAGS2_INTEGRATED_SECURITY) !== 0,
    sspi: sspiField(payload),
  };
}
