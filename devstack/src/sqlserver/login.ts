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

/** ENCRYPTION value meaning "this server has no TLS"; the session then stays in clear text. */
export const ENCRYPT_NOT_SUP = 0x02;

/** The server version the stand-in announces (SQL Server 2022 = 16.0). */
export const SERVER_VERSION = { major: 16, minor: 0, build: 1000 } as const;

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

/** The server's PRELOGIN answer: version, no encryption, no instance check, no MARS. */
export function buildPreloginResponse(): Buffer {
  const version = new ByteWriter(6)
    .u8(SERVER_VERSION.major)
    .u8(SERVER_VERSION.minor)
    .u16be(SERVER_VERSION.build)
    .u16be(0)
    .toBuffer();
  const entries: Array<[number, Buffer]> = [
    [PreloginOption.Version, version],
    [PreloginOption.Encryption, Buffer.from([ENCRYPT_NOT_SUP])],
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
}

const FIXED_LENGTH = 94;

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
  };
}
