// The TAP parser: counts, failures, plan mismatches and psql errors each make a file fail.
import { expect, test } from "bun:test";
import { parseTap } from "./tap.ts";

test("counts ok and not ok lines against the plan", () => {
  const r = parseTap("ok 1 - a\nnot ok 2 - b\n# Failed test 2\n1..2\n", "", 0);
  expect(r).toEqual({ passed: 1, failed: 1, problems: ["not ok 2 - b", "# Failed test 2"] });
});

test("a plan that does not match the tests run is a failure", () => {
  expect(parseTap("ok 1 - a\n1..3\n", "", 0).failed).toBe(1);
});

test("no plan is a failure", () => {
  expect(parseTap("ok 1 - a\n", "", 0).failed).toBe(1);
});

test("psql exiting non-zero is a failure with its error", () => {
  const r = parseTap("ok 1 - a\n", "ERROR:  boom\n", 3);
  expect(r.failed).toBe(1);
  expect(r.problems[0]).toContain("boom");
});

test("a clean file passes", () => {
  expect(parseTap("ok 1 - a\nok 2 - b\n1..2\n", "", 0)).toEqual({
    passed: 2,
    failed: 0,
    problems: [],
  });
});
