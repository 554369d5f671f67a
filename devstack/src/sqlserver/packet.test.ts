import { describe, expect, test } from "bun:test";
import {
  MessageAssembler,
  negotiatePacketSize,
  PacketReader,
  ResponseMessage,
  TdsProtocolError,
} from "./packet.ts";

function header(type: number, status: number, length: number, id = 1): number[] {
  return [type, status, length >> 8, length & 0xff, 0, 0, id, 0];
}

describe("PacketReader", () => {
  test("splits packets regardless of chunk boundaries", () => {
    const bytes = Buffer.from([
      ...header(0x01, 0x00, 10),
      0xaa,
      0xbb,
      ...header(0x01, 0x01, 9, 2),
      0xcc,
      ...header(0x06, 0x01, 8),
    ]);
    const reader = new PacketReader();
    const packets = [
      ...reader.push(bytes.subarray(0, 5)),
      ...reader.push(bytes.subarray(5, 13)),
      ...reader.push(bytes.subarray(13)),
    ];
    expect(packets.map((p) => [p.type, p.status, [...p.payload]])).toEqual([
      [0x01, 0x00, [0xaa, 0xbb]],
      [0x01, 0x01, [0xcc]],
      [0x06, 0x01, []],
    ]);
  });

  test("rejects a length shorter than the header", () => {
    expect(() => new PacketReader().push(Buffer.from(header(0x01, 0x01, 4)))).toThrow(
      TdsProtocolError,
    );
  });
});

describe("MessageAssembler", () => {
  test("joins payloads up to EOM and reports IGNORE", () => {
    const assembler = new MessageAssembler();
    expect(assembler.add({ type: 3, status: 0, payload: Buffer.from([1, 2]) })).toBeNull();
    const message = assembler.add({ type: 3, status: 0x01, payload: Buffer.from([3]) });
    expect(message).toEqual({ type: 3, isIgnored: false, payload: Buffer.from([1, 2, 3]) });
    const ignored = assembler.add({ type: 1, status: 0x03, payload: Buffer.alloc(0) });
    expect(ignored?.isIgnored).toBe(true);
  });
});

describe("ResponseMessage", () => {
  test("cuts at packetSize - 8 payload bytes, numbers packets and sets EOM only on the last", () => {
    const written: Buffer[] = [];
    const message = new ResponseMessage({ write: (c) => (written.push(Buffer.from(c)), true) }, 12);
    message.push(Buffer.from([1, 2, 3]));
    message.push(Buffer.from([4, 5, 6, 7, 8, 9]));
    message.end();
    expect(written.map((p) => [...p])).toEqual([
      [0x04, 0x00, 0, 12, 0, 0, 1, 0, 1, 2, 3, 4],
      [0x04, 0x00, 0, 12, 0, 0, 2, 0, 5, 6, 7, 8],
      [0x04, 0x01, 0, 9, 0, 0, 3, 0, 9],
    ]);
  });

  test("an exactly full last packet carries EOM itself", () => {
    const written: Buffer[] = [];
    const message = new ResponseMessage({ write: (c) => (written.push(Buffer.from(c)), true) }, 12);
    message.push(Buffer.from([1, 2, 3, 4]));
    message.end();
    expect(written.length).toBe(1);
    expect(written[0]![1]).toBe(0x01);
  });

  test("remembers that the sink asked to wait", () => {
    const message = new ResponseMessage({ write: () => false }, 12);
    message.push(Buffer.from([1]));
    expect(message.needsDrain).toBe(false);
    message.flush();
    expect(message.needsDrain).toBe(true);
    message.drained();
    expect(message.needsDrain).toBe(false);
  });
});

test("negotiatePacketSize clamps to the TDS range", () => {
  expect(negotiatePacketSize(4096)).toBe(4096);
  expect(negotiatePacketSize(100)).toBe(512);
  expect(negotiatePacketSize(65535)).toBe(32767);
  expect(negotiatePacketSize(0)).toBe(4096);
});
