import { describe, expect, test } from "bun:test";
import { selectableYears } from "./years.ts";

describe("selectable years", () => {
  test("current year down to 2018", () => {
    const years = selectableYears(new Date(2026, 5, 1));
    expect(years[0]).toBe(2026);
    expect(years.at(-1)).toBe(2018);
    expect(years.length).toBe(9);
  });
});
