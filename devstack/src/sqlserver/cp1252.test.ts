import { describe, expect, test } from "bun:test";
import { decodeCp1252, encodeCp1252 } from "./cp1252.ts";

describe("cp1252", () => {
  test("Latin-1 range maps byte for byte", () => {
    expect([...encodeCp1252("Ñandú")]).toEqual([0xd1, 0x61, 0x6e, 0x64, 0xfa]);
  });

  test("0x80..0x9F carry the Windows punctuation", () => {
    expect([...encodeCp1252("€“”")]).toEqual([0x80, 0x93, 0x94]);
    expect(decodeCp1252(Uint8Array.from([0x80, 0x93, 0x94, 0x41]))).toBe("€“”A");
  });

  test("characters outside the code page become ?", () => {
    expect(encodeCp1252("a😀ж").toString("latin1")).toBe("a??");
  });

  test("round-trips accented Spanish", () => {
    const text = "Ñandú, señal, pingüino: ¿qué?";
    expect(decodeCp1252(encodeCp1252(text))).toBe(text);
  });
});
