import { describe, expect, test } from "bun:test";
import { diedBeforeReady, drainInto, OutputTail } from "./child.ts";

describe("OutputTail", () => {
  test("keeps the last lines across chunks that split lines", () => {
    const tail = new OutputTail(3);
    tail.push("one\ntw");
    tail.push("o\nthree\r\nfour\nfi");
    expect(tail.lines()).toEqual(["three", "four", "fi"]);
    expect(tail.quote()).toBe("its last 3 line(s) of output:\n  | three\n  | four\n  | fi");
  });

  test("says so when nothing was printed", () => {
    expect(new OutputTail().quote()).toBe("it printed nothing");
  });
});

test("a child that died before it was ready is named with its exit and its output", async () => {
  const child = Bun.spawn({
    cmd: ["sh", "-c", "for i in $(seq 1 30); do echo line $i; done; echo boom >&2; exit 3"],
    stdout: "pipe",
    stderr: "pipe",
  });
  const tail = new OutputTail(20);
  const forwarded: string[] = [];
  await Promise.all([
    drainInto(child.stdout, tail, (text) => forwarded.push(text)),
    drainInto(child.stderr, tail),
    child.exited,
  ]);
  const message = diedBeforeReady("the test child", child, tail);
  expect(message).toStartWith("the test child exited with code 3 before it was ready; its last 20");
  expect(message).toContain("  | boom");
  expect(message).not.toContain("  | line 11\n");
  expect(forwarded.join("")).toContain("line 30");
});
