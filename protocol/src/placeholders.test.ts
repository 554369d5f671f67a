import { describe, expect, test } from "bun:test";
import { fillPlaceholders, placeholderNames } from "./placeholders.ts";

describe("message placeholders", () => {
  test("fills what it is given and leaves a missing one visible", () => {
    expect(fillPlaceholders("{n} de {total} ({pct}%)", { n: 3, total: 7 })).toBe("3 de 7 ({pct}%)");
    expect(fillPlaceholders("sin huecos")).toBe("sin huecos");
  });

  test("names a template's placeholders, sorted", () => {
    expect(placeholderNames("{total} … {n} … {n}")).toEqual(["n", "n", "total"]);
    expect(placeholderNames("none")).toEqual([]);
  });
});
