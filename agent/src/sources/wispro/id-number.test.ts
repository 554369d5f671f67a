import { describe, expect, test } from "bun:test";
import { type IdNumberResult, letterFromDetails, normaliseIdNumber } from "./id-number.ts";

const ok = (idNumber: string, letterFrom: "id" | "details" | "default"): IdNumberResult => ({
  kind: "ok",
  idNumber,
  letterFrom,
});

describe("normaliseIdNumber", () => {
  test("dotted digits take the default letter", () => {
    expect(normaliseIdNumber("12.345.678", null)).toEqual(ok("V-12345678", "default"));
  });

  test("a letter already written in the id is kept, never doubled", () => {
    expect(normaliseIdNumber("V-8765432", null)).toEqual(ok("V-8765432", "id"));
    expect(normaliseIdNumber("V8.765.432", null)).toEqual(ok("V-8765432", "id"));
    expect(normaliseIdNumber("E-84.123.456", "V")).toEqual(ok("E-84123456", "id"));
  });

  test("a doubled V-V- collapses", () => {
    expect(normaliseIdNumber("V-V-8765432", null)).toEqual(ok("V-8765432", "id"));
    expect(normaliseIdNumber("v - v 8765432", null)).toEqual(ok("V-8765432", "id"));
  });

  test("a lowercase letter with a space is read", () => {
    expect(normaliseIdNumber("v 8765432", null)).toEqual(ok("V-8765432", "id"));
    expect(normaliseIdNumber("  e12345678 ", null)).toEqual(ok("E-12345678", "id"));
  });

  test("the letter comes from details when details is a single letter, any case", () => {
    expect(normaliseIdNumber("12345678", "E")).toEqual(ok("E-12345678", "details"));
    expect(normaliseIdNumber("12345678", " e ")).toEqual(ok("E-12345678", "details"));
  });

  test("details that are not a single nationality letter fall back to the default", () => {
    expect(normaliseIdNumber("12345678", "Cliente con antena")).toEqual(
      ok("V-12345678", "default"),
    );
    expect(normaliseIdNumber("12345678", "5")).toEqual(ok("V-12345678", "default"));
    expect(normaliseIdNumber("12345678", "X")).toEqual(ok("V-12345678", "default"));
    expect(normaliseIdNumber("12345678", "")).toEqual(ok("V-12345678", "default"));
  });

  test("the configured default letter is used last", () => {
    expect(normaliseIdNumber("12 345 678", null, "E")).toEqual(ok("E-12345678", "default"));
  });

  test("company RIFs keep their check digit, dashes removed", () => {
    expect(normaliseIdNumber("J-40123456-7", null)).toEqual(ok("J-401234567", "id"));
    expect(normaliseIdNumber("G-20000001-0", null)).toEqual(ok("G-200000010", "id"));
  });

  test("a numeric id is read as digits", () => {
    expect(normaliseIdNumber(8765432, "E")).toEqual(ok("E-8765432", "details"));
  });

  test("no id, or no digit at all, is missing", () => {
    for (const raw of [null, undefined, "", "   ", "V-", "N/A", "V-V-"]) {
      expect(normaliseIdNumber(raw, "V")).toEqual({ kind: "missing" });
    }
  });

  test("text that is not an id is unreadable rather than guessed", () => {
    expect(normaliseIdNumber("12345678A", null).kind).toBe("unreadable");
    expect(normaliseIdNumber("X-12345678", null).kind).toBe("unreadable");
    expect(normaliseIdNumber("E-V-12345678", null).kind).toBe("unreadable");
    expect(normaliseIdNumber("12345678 / 87654321", null).kind).toBe("unreadable");
  });
});

describe("letterFromDetails", () => {
  test("only a lone nationality letter counts", () => {
    expect(letterFromDetails("p")).toBe("P");
    expect(letterFromDetails("VE")).toBeNull();
    expect(letterFromDetails(null)).toBeNull();
    expect(letterFromDetails(7)).toBeNull();
  });
});
