// Test support: a bare TDS client built from the spec, for wire cases tedious cannot be made to
// produce on demand (IGNORE, ATTENTION with nothing running, odd packet sizes).

import { connect, type Socket } from "node:net";
import {
  HEADER_LENGTH,
  MessageAssembler,
  PacketReader,
  PacketStatus,
  PacketType,
} from "./packet.ts";

/** The client-side password scrambling from MS-TDS 2.2.6.4. */
export function scramblePassword(plain: Buffer): Buffer {
  return Buffer.from(plain.map((b) => (((b & 0x0f) << 4) | (b >> 4)) ^ 0xa5));
}

/** A LOGIN7 record with the given UCS-2 fields, keyed by their offset/length pair position (36..88). */
export function buildLogin7(fields: Record<number, string>, packetSize = 4096): Buffer {
  const fixed = Buffer.alloc(94);
  const variable: Buffer[] = [];
  let offset = 94;
  for (let at = 36; at <= 88; at += 4) {
    const value = fields[at] ?? "";
    let bytes: Buffer = Buffer.from(value, "utf16le");
    if (at === 44) bytes = scramblePassword(bytes);
    fixed.writeUInt16LE(offset, at);
    fixed.writeUInt16LE(value.length, at + 2);
    variable.push(bytes);
    offset += bytes.length;
  }
  fixed.writeUInt32LE(offset, 0);
  fixed.writeUInt32LE(0x74000004, 4);
  fixed.writeUInt32LE(packetSize, 8);
  return Buffer.concat([fixed, ...variable]);
}

/** SQLBatch payload: a 22-byte ALL_HEADERS (transaction descriptor), then UCS-2 text. */
export function buildSqlBatch(sql: string): Buffer {
  const headers = Buffer.alloc(22);
  headers.writeUInt32LE(22, 0);
  headers.writeUInt32LE(18, 4);
  headers.writeUInt16LE(2, 8);
  headers.writeUInt32LE(1, 18);
  return Buffer.concat([headers, Buffer.from(sql, "utf16le")]);
}

export function buildPacket(type: number, status: number, payload: Buffer): Buffer {
  const header = Buffer.from([type, status, 0, 0, 0, 0, 1, 0]);
  header.writeUInt16BE(HEADER_LENGTH + payload.length, 2);
  return Buffer.concat([header, payload]);
}

export class RawTdsClient {
  private readonly reader = new PacketReader();
  private readonly assembler = new MessageAssembler();
  private readonly messages: Buffer[] = [];
  private waiting: (() => void) | null = null;
  /** Total lengths of every packet received, in order. */
  readonly packetLengths: number[] = [];
  isClosed = false;

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      for (const packet of this.reader.push(chunk)) {
        this.packetLengths.push(HEADER_LENGTH + packet.payload.length);
        const message = this.assembler.add(packet);
        if (message) this.messages.push(message.payload);
      }
      this.waiting?.();
    });
    socket.on("close", () => {
      this.isClosed = true;
      this.waiting?.();
    });
  }

  static connect(port: number): Promise<RawTdsClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => resolve(new RawTdsClient(socket)));
      socket.once("error", reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  send(type: number, payload: Buffer, status: number = PacketStatus.EndOfMessage): void {
    this.write(buildPacket(type, status, payload));
  }

  /** The next whole response message's payload (tokens), or null once the server closed. */
  async nextMessage(timeoutMs = 3000): Promise<Buffer | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length === 0) {
      if (this.isClosed) return null;
      if (Date.now() > deadline) throw new Error("no response message from the server in time");
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.messages.shift()!;
  }

  /** PRELOGIN (empty option table) then LOGIN7; returns the login response tokens. */
  async login(
    user: string,
    password: string,
    database: string,
    packetSize = 4096,
  ): Promise<Buffer | null> {
    this.send(PacketType.PreLogin, Buffer.from([0xff]));
    await this.nextMessage();
    this.send(PacketType.Login7, buildLogin7({ 40: user, 44: password, 68: database }, packetSize));
    return this.nextMessage();
  }

  close(): void {
    this.socket.destroy();
  }
}
