import { describe, expect, test } from "bun:test";
import { validatePlanillaInput } from "./planilla-input.ts";

describe("validatePlanillaInput", () => {
  test("2026-886 is accepted and padded", () => {
    expect(validatePlanillaInput("2026-886")).toEqual({ ok: true, code: "2026-000886" });
    expect(validatePlanillaInput("  2024-000123 ")).toEqual({ ok: true, code: "2024-000123" });
  });
  test("empty input asks for a code", () => {
    expect(validatePlanillaInput("   ")).toEqual({ ok: false, reason: "empty" });
  });
  test("bad shapes are refused", () => {
    for (const bad of ["886", "26-886", "2026-", "2026-0", "2026-1234567", "abcd-12", "2026 886"]) {
      expect(`${bad}:${validatePlanillaInput(bad).ok}`).toBe(`${bad}:false`);
    }
  });
});
