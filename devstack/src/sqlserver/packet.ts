// TDS packet framing: splits the client's byte stream into packets and messages, and cuts the
// server's token stream into packets of the negotiated size.

export const PacketType = {
  SqlBatch: 0x01,
  Rpc: 0x03,
  TabularResult: 0x04,
  Attention: 0x06,
  TransactionManager: 0x0e,
  Login7: 0x10,
  /** SSPI message: the client's next Windows-authentication step (an NTLM AUTHENTICATE). */
  Sspi: 0x11,
  PreLogin: 0x12,
} as const;

export const PacketStatus = {
  Normal: 0x00,
  EndOfMessage: 0x01,
  Ignore: 0x02,
} as const;

export const HEADER_LENGTH = 8;
export const DEFAULT_PACKET_SIZE = 4096;
const MAX_PACKET_SIZE = 32767;

/** The client sent bytes that are not TDS; the connection cannot continue. */
export class TdsProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TdsProtocolError";
  }
}

export interface Packet {
  type: number;
  status: number;
  payload: Buffer;
}

/** A whole client message: the payloads of its packets up to EOM, joined. */
export interface Message {
  type: number;
  /** True when the client aborted the message while sending it (IGNORE bit on the last packet). */
  isIgnored: boolean;
  payload: Buffer;
}

/** Splits a byte stream into packets, whatever the chunk boundaries. */
export class PacketReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Packet[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const packets: Packet[] = [];
    while (this.pending.length >= HEADER_LENGTH) {
      const length = this.pending.readUInt16BE(2);
      if (length < HEADER_LENGTH || length > MAX_PACKET_SIZE + 1) {
        throw new TdsProtocolError(`invalid TDS packet length ${length}`);
      }
      if (this.pending.length < length) break;
      packets.push({
        type: this.pending[0]!,
        status: this.pending[1]!,
        payload: this.pending.subarray(HEADER_LENGTH, length),
      });
      this.pending = this.pending.subarray(length);
    }
    return packets;
  }
}

/** Joins packets into messages at EOM. */
export class MessageAssembler {
  private parts: Buffer[] = [];
  private type: number | null = null;

  add(packet: Packet): Message | null {
    if (this.type !== null && this.type !== packet.type) {
      throw new TdsProtocolError(
        `packet type 0x${packet.type.toString(16)} inside a message of type 0x${
          this.type.toString(16)
        }`,
      );
    }
    this.type = packet.type;
    this.parts.push(packet.payload);
    if ((packet.status & PacketStatus.EndOfMessage) === 0) return null;
    const message: Message = {
      type: packet.type,
      isIgnored: (packet.status & PacketStatus.Ignore) !== 0,
      payload: this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts),
    };
    this.parts = [];
    this.type = null;
    return message;
  }
}

/** Where response packets go; `write` returns false when the receiver is saturated (a net.Socket fits). */
export interface PacketSink {
  write(chunk: Uint8Array): boolean;
}

/**
 * Cuts one response message into packets of `packetSize` bytes. Tokens may straddle packets;
 * the caller ends the message only at a token boundary.
 */
export class ResponseMessage {
  private packet: Buffer;
  private fill = 0;
  private packetId = 1;
  private isSaturated = false;
  private readonly maxPayload: number;

  constructor(
    private readonly sink: PacketSink,
    private readonly packetSize: number,
    /** Tabular result, except the TLS handshake flights, which travel as PRELOGIN packets. */
    private readonly type: number = PacketType.TabularResult,
  ) {
    this.maxPayload = packetSize - HEADER_LENGTH;
    this.packet = Buffer.allocUnsafe(packetSize);
  }

  /** True once a write reported the sink full; the caller should wait for 'drain'. */
  get needsDrain(): boolean {
    return this.isSaturated;
  }

  drained(): void {
    this.isSaturated = false;
  }

  push(bytes: Uint8Array): void {
    let position = 0;
    while (position < bytes.length) {
      // A full packet is sent only once more bytes follow, so end() never sends an empty one.
      if (this.fill === this.maxPayload) this.emit(PacketStatus.Normal);
      const count = Math.min(bytes.length - position, this.maxPayload - this.fill);
      this.packet.set(bytes.subarray(position, position + count), HEADER_LENGTH + this.fill);
      this.fill += count;
      position += count;
    }
  }

  /** Sends what is buffered now as a non-final packet (used when rows trickle slowly). */
  flush(): void {
    if (this.fill > 0) this.emit(PacketStatus.Normal);
  }

  /** Sends the rest with EOM. */
  end(): void {
    this.emit(PacketStatus.EndOfMessage);
  }

  private emit(status: number): void {
    const packet = this.packet;
    const length = HEADER_LENGTH + this.fill;
    packet[0] = this.type;
    packet[1] = status;
    packet.writeUInt16BE(length, 2);
    packet.writeUInt16BE(0, 4);
    packet[6] = this.packetId;
    packet[7] = 0;
    this.packetId = (this.packetId + 1) % 256;
    // The sink may hold on to the buffer until it is flushed, so never reuse it.
    this.packet = Buffer.allocUnsafe(this.packetSize);
    this.fill = 0;
    if (!this.sink.write(packet.subarray(0, length))) this.isSaturated = true;
  }
}

/** Clamps the packet size a client asks for to what TDS allows. */
export function negotiatePacketSize(requested: number): number {
  if (!Number.isFinite(requested) || requested === 0) return DEFAULT_PACKET_SIZE;
  return Math.min(MAX_PACKET_SIZE, Math.max(512, requested));
}
