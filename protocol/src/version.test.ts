import { describe, expect, test } from "bun:test";
import { PROTOCOL_VERSION, protocolMismatch } from "./version.ts";

describe("protocolMismatch", () => {
  test("the current version, or none, is no mismatch", () => {
    expect(protocolMismatch(undefined)).toBeNull();
    expect(protocolMismatch(PROTOCOL_VERSION)).toBeNull();
  });

  test("another version number is: a newer agent is told the API needs deploying", () => {
    expect(protocolMismatch(PROTOCOL_VERSION + 1)).toContain("deploy the current edge function");
    expect(protocolMismatch(PROTOCOL_VERSION - 1)).toContain("update the agent");
  });

  test("what is not a version number is left to the schema (422), not answered 426", () => {
    for (const v of [null, "1", "x", true, [], {}, -1, 0.5, 1e-9, 2 ** 31, 1e308, NaN]) {
      expect(protocolMismatch(v)).toBeNull();
    }
  });
});
