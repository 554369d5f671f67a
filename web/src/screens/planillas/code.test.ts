import { describe, expect, test } from "bun:test";
import { readPlanillaQuery, shortPlanillaCode } from "./code.ts";

describe("reading what people type to find a planilla", () => {
  test("the forms people type all name 2025-007816", () => {
    for (
      const typed of [
        "2025-007816",
        "2025-7816",
        "25-7816",
        "2025/7816",
        " 2025-007816 ",
        "25 - 7816",
      ]
    ) {
      expect([typed, readPlanillaQuery(typed)]).toEqual([
        typed,
        { kind: "code", codigo: "2025-007816", text: typed.trim() },
      ]);
    }
  });

  test("blank text is empty; text that is no code stays text, cut to the longest query", () => {
    expect(readPlanillaQuery("   ")).toEqual({ kind: "empty" });
    expect(readPlanillaQuery("7816")).toEqual({ kind: "text", text: "7816" });
    expect(readPlanillaQuery("Acacias")).toEqual({ kind: "text", text: "Acacias" });
    expect(readPlanillaQuery("2025-0")).toEqual({ kind: "text", text: "2025-0" });
    expect(readPlanillaQuery("2025-1234567")).toEqual({ kind: "text", text: "2025-1234567" });
    expect(readPlanillaQuery("x".repeat(100))).toEqual({ kind: "text", text: "x".repeat(64) });
  });

  test("the short form drops the century and the zeros", () => {
    expect(shortPlanillaCode("2025-007816")).toBe("25-7816");
    expect(shortPlanillaCode("2026-000886")).toBe("26-886");
    expect(shortPlanillaCode("not a code")).toBe("not a code");
  });
});
