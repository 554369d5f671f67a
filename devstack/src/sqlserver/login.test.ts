import { describe, expect, test } from "bun:test";
import {
  buildPreloginResponse,
  descramblePassword,
  ENCRYPT_NOT_SUP,
  parseLogin7,
  parsePrelogin,
} from "./login.ts";
import { TdsProtocolError } from "./packet.ts";
import { buildLogin7 } from "./test-client.ts";

describe("PRELOGIN", () => {
  test("the response announces ENCRYPT_NOT_SUP and parses back", () => {
    const response = buildPreloginResponse();
    // 5 entries × 5 bytes + terminator, then version(6) encryption(1) instopt(1) threadid(0) mars(1).
    expect(response.length).toBe(26 + 9);
    expect([...response.subarray(0, 5)]).toEqual([0x00, 0x00, 26, 0x00, 6]);
    const options = parsePrelogin(response);
    expect([...options.get(0x01)!]).toEqual([ENCRYPT_NOT_SUP]);
    expect([...options.get(0x00)!]).toEqual([16, 0, 0x03, 0xe8, 0, 0]);
    expect(options.get(0x03)!.length).toBe(0);
  });

  test("a table without terminator is a protocol error", () => {
    expect(() => parsePrelogin(Buffer.from([0x00, 0x00, 0x05]))).toThrow(TdsProtocolError);
  });
});

describe("LOGIN7", () => {
  test("descrambling inverts the client's nibble swap and XOR", () => {
    // "a" in UCS-2 is 61 00: swap → 16 00, XOR A5 → B3 A5.
    expect([...descramblePassword(Uint8Array.from([0xb3, 0xa5]))]).toEqual([0x61, 0x00]);
  });

  test("reads user, password, database and packet size", () => {
    const login = parseLogin7(
      buildLogin7({
        36: "PC-OFICINA",
        40: "puente",
        44: "Señal#2026",
        48: "tedious",
        68: "FERRAWIN",
      }, 8192),
    );
    expect(login).toMatchObject({
      hostName: "PC-OFICINA",
      userName: "puente",
      password: "Señal#2026",
      appName: "tedious",
      database: "FERRAWIN",
      packetSize: 8192,
      tdsVersion: 0x74000004,
    });
  });

  test("a truncated record is a protocol error", () => {
    expect(() => parseLogin7(Buffer.alloc(20))).toThrow(TdsProtocolError);
  });
});
