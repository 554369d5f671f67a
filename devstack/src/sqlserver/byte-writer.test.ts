import { describe, expect, test } from "bun:test";
import { ByteWriter } from "./byte-writer.ts";

describe("ByteWriter", () => {
  test("writes little-endian integers and grows past its initial size", () => {
    const w = new ByteWriter(2);
    w.u8(0xab).u16le(0x0102).u24le(0x030405).u32le(0xfffffffe).i32le(-2);
    expect([...w.view()]).toEqual([
      0xab,
      0x02,
      0x01,
      0x05,
      0x04,
      0x03,
      0xfe,
      0xff,
      0xff,
      0xff,
      0xfe,
      0xff,
      0xff,
      0xff,
    ]);
  });

  test("uintLE writes arbitrary widths", () => {
    const w = new ByteWriter();
    w.uintLE(0x0102030405n, 5);
    expect([...w.view()]).toEqual([0x05, 0x04, 0x03, 0x02, 0x01]);
  });

  test("B_VARCHAR and US_VARCHAR count characters, not bytes", () => {
    const w = new ByteWriter();
    w.bVarchar("Añ").usVarchar("x");
    expect([...w.view()]).toEqual([2, 0x41, 0x00, 0xf1, 0x00, 1, 0, 0x78, 0x00]);
  });

  test("reset reuses the buffer", () => {
    const w = new ByteWriter();
    w.u32le(1);
    w.reset();
    w.u8(7);
    expect([...w.toBuffer()]).toEqual([7]);
  });
});
