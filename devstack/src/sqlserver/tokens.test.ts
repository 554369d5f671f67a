import { describe, expect, test } from "bun:test";
import { ByteWriter } from "./byte-writer.ts";
import {
  DoneStatus,
  EnvChangeType,
  TokenType,
  writeCollationChange,
  writeColMetadata,
  writeDone,
  writeEnvChange,
  writeError,
  writeLoginAck,
  writeReturnStatus,
  writeRow,
} from "./tokens.ts";
import { createColumnEncoder } from "./values.ts";

function bytes(write: (w: ByteWriter) => void): number[] {
  const w = new ByteWriter();
  write(w);
  return [...w.view()];
}

const ucs2 = (text: string) => [...Buffer.from(text, "utf16le")];

describe("login tokens", () => {
  test("ENVCHANGE database carries new and old B_VARCHARs", () => {
    expect(bytes((w) => writeEnvChange(w, EnvChangeType.Database, "DB", "m"))).toEqual([
      0xe3,
      9,
      0,
      1,
      2,
      ...ucs2("DB"),
      1,
      ...ucs2("m"),
    ]);
  });

  test("ENVCHANGE collation is a 5-byte B_VARBYTE", () => {
    expect(bytes((w) => writeCollationChange(w, Uint8Array.from([1, 2, 3, 4, 5])))).toEqual([
      0xe3,
      8,
      0,
      7,
      5,
      1,
      2,
      3,
      4,
      5,
      0,
    ]);
  });

  test("LOGINACK announces TDS 7.4 in wire order", () => {
    expect(bytes((w) => writeLoginAck(w, "X"))).toEqual([
      0xad,
      12,
      0,
      1,
      0x74,
      0,
      0,
      4,
      1,
      ...ucs2("X"),
      16,
      0,
      0x03,
      0xe8,
    ]);
  });
});

describe("ERROR and DONE", () => {
  test("ERROR: number, state, class, message, server, proc, line", () => {
    const token = bytes((w) =>
      writeError(w, { number: 18456, state: 1, class: 14, message: "no", serverName: "s", line: 2 })
    );
    expect(token).toEqual([
      0xaa,
      20,
      0,
      0x18,
      0x48,
      0,
      0,
      1,
      14,
      2,
      0,
      ...ucs2("no"),
      1,
      ...ucs2("s"),
      0,
      2,
      0,
      0,
      0,
    ]);
    // The declared length covers everything after it.
    expect(token.length - 3).toBe(20);
  });

  test("DONE: status, curcmd, 8-byte row count", () => {
    expect(bytes((w) => writeDone(w, TokenType.Done, DoneStatus.Count | DoneStatus.More, 3)))
      .toEqual([
        0xfd,
        0x11,
        0,
        0xc1,
        0,
        3,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
      ]);
    expect(bytes((w) => writeDone(w, TokenType.DoneProc, DoneStatus.Attention))[0]).toBe(0xfe);
  });

  test("RETURNSTATUS", () => {
    expect(bytes((w) => writeReturnStatus(w, 0))).toEqual([0x79, 0, 0, 0, 0]);
  });
});

describe("COLMETADATA and rows", () => {
  const encoders = [
    createColumnEncoder({ name: "id", type: "int", nullable: false }),
    createColumnEncoder({ name: "n", type: "nvarchar", length: 2 }),
    createColumnEncoder({ name: "b", type: "bit" }),
  ];

  test("COLMETADATA: count, then usertype, flags, TYPE_INFO, name per column", () => {
    expect(bytes((w) => writeColMetadata(w, encoders))).toEqual([
      0x81,
      3,
      0,
      ...[0, 0, 0, 0, 0, 0, 0x26, 4, 2, ...ucs2("id")],
      ...[0, 0, 0, 0, 1, 0, 0xe7, 4, 0, 0x09, 0x04, 0xd0, 0x00, 0x34, 1, ...ucs2("n")],
      ...[0, 0, 0, 0, 1, 0, 0x68, 1, 1, ...ucs2("b")],
    ]);
  });

  test("a row without NULLs is a ROW", () => {
    expect(bytes((w) => writeRow(w, encoders, [7, "a", false]))).toEqual([
      0xd1,
      4,
      7,
      0,
      0,
      0,
      2,
      0,
      0x61,
      0,
      1,
      0,
    ]);
  });

  test("a row with NULLs is an NBCROW with a bitmap and the NULLs omitted", () => {
    expect(bytes((w) => writeRow(w, encoders, [7, null, undefined]))).toEqual([
      0xd2,
      0b110,
      4,
      7,
      0,
      0,
      0,
    ]);
  });

  test("the bitmap spans several bytes past eight columns", () => {
    const nine = Array.from(
      { length: 9 },
      (_, i) => createColumnEncoder({ name: `c${i}`, type: "bit" }),
    );
    const row = [null, true, true, true, true, true, true, true, null];
    const token = bytes((w) => writeRow(w, nine, row));
    expect(token.slice(0, 3)).toEqual([0xd2, 0b1, 0b1]);
    expect(token.length).toBe(3 + 7 * 2);
  });
});
