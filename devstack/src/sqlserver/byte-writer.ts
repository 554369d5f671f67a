// A growable little-endian byte buffer for building TDS tokens without intermediate arrays.

export class ByteWriter {
  private buffer: Buffer;
  private offset = 0;

  constructor(initialSize = 1024) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.offset;
  }

  /** The bytes written so far (a view, valid until the next write or reset). */
  view(): Buffer {
    return this.buffer.subarray(0, this.offset);
  }

  /** A copy of the bytes written so far. */
  toBuffer(): Buffer {
    return Buffer.from(this.view());
  }

  reset(): void {
    this.offset = 0;
  }

  private ensure(extra: number): void {
    const needed = this.offset + extra;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }

  u8(value: number): this {
    this.ensure(1);
    this.buffer[this.offset++] = value & 0xff;
    return this;
  }

  u16le(value: number): this {
    this.ensure(2);
    this.offset = this.buffer.writeUInt16LE(value, this.offset);
    return this;
  }

  u16be(value: number): this {
    this.ensure(2);
    this.offset = this.buffer.writeUInt16BE(value, this.offset);
    return this;
  }

  u24le(value: number): this {
    this.ensure(3);
    this.offset = this.buffer.writeUIntLE(value, this.offset, 3);
    return this;
  }

  u32le(value: number): this {
    this.ensure(4);
    this.offset = this.buffer.writeUInt32LE(value >>> 0, this.offset);
    return this;
  }

  i32le(value: number): this {
    this.ensure(4);
    this.offset = this.buffer.writeInt32LE(value, this.offset);
    return this;
  }

  /** Unsigned integer of `bytes` (1..8) little-endian bytes; `value` must be non-negative. */
  uintLE(value: bigint, bytes: number): this {
    this.ensure(bytes);
    let rest = value;
    for (let i = 0; i < bytes; i++) {
      this.buffer[this.offset++] = Number(rest & 0xffn);
      rest >>= 8n;
    }
    return this;
  }

  i64le(value: bigint): this {
    this.ensure(8);
    this.offset = this.buffer.writeBigInt64LE(value, this.offset);
    return this;
  }

  u64le(value: bigint): this {
    this.ensure(8);
    this.offset = this.buffer.writeBigUInt64LE(value, this.offset);
    return this;
  }

  f64le(value: number): this {
    this.ensure(8);
    this.offset = this.buffer.writeDoubleLE(value, this.offset);
    return this;
  }

  zeros(count: number): this {
    this.ensure(count);
    this.buffer.fill(0, this.offset, this.offset + count);
    this.offset += count;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.ensure(data.length);
    this.buffer.set(data, this.offset);
    this.offset += data.length;
    return this;
  }

  /** UCS-2 (UTF-16LE) text without a length prefix. */
  ucs2(text: string): this {
    this.ensure(text.length * 2);
    this.offset += this.buffer.write(text, this.offset, "utf16le");
    return this;
  }

  /** B_VARCHAR: 1-byte character count, then UCS-2. */
  bVarchar(text: string): this {
    return this.u8(text.length).ucs2(text);
  }

  /** US_VARCHAR: 2-byte character count, then UCS-2. */
  usVarchar(text: string): this {
    return this.u16le(text.length).ucs2(text);
  }
}
