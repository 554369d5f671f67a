import { describe, expect, test } from "bun:test";
import { normalizePlanillaCode, PlanillaCode, readTypedPlanillaCode } from "./planilla-code.ts";
import { formatIssues } from "./errors.ts";

describe("planilla code", () => {
  test.each([
    ["2026-886", "2026-000886"],
    ["2026-000886", "2026-000886"],
    [" 2025-1 ", "2025-000001"],
    ["2024-999999", "2024-999999"],
    ["2025-0001", "2025-000001"],
  ])("normalises %p to %p", (input, expected) => {
    expect(PlanillaCode.parse(input)).toBe(expected);
  });

  test.each([
    "",
    "2026",
    "26-886",
    "2026-",
    "2026-abc",
    "2026-0",
    "2026-1234567",
    "2025-0001'; DROP TABLE ORD_HEAD;--",
    "2026/886",
    "x".repeat(40),
  ])("rejects %p with a readable message", (input) => {
    const result = PlanillaCode.safeParse(input);
    expect(result.success).toBe(false);
    if (!result.success) expect(formatIssues(result.error)).toMatch(/planilla code/);
  });

  test("rejects non-strings", () => {
    expect(PlanillaCode.safeParse(2026886).success).toBe(false);
    expect(normalizePlanillaCode("2026-886")).toBe("2026-000886");
    expect(normalizePlanillaCode("2026-886x")).toBeNull();
  });
});

describe("a planilla code as typed to look one up", () => {
  test("the forms the database's lookup accepts all name one stored code", () => {
    for (
      const typed of ["2025-007816", "2025-7816", "25-7816", "2025/7816", "25.7816", " 25 7816 "]
    ) {
      expect([typed, readTypedPlanillaCode(typed)]).toEqual([typed, "2025-007816"]);
    }
  });

  test("anything else is no code", () => {
    for (const typed of ["7816", "2025-0", "2025-1234567", "025-7816", "2025--7816", "Acacias"]) {
      expect([typed, readTypedPlanillaCode(typed)]).toEqual([typed, null]);
    }
  });
});
