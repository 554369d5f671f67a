// Unit tests for HTTP API event validation and limits.
import { describe, expect, test } from "bun:test";
import { EventRejected, parseBatch, parseEvent } from "./events.ts";

function rejection(fn: () => unknown): EventRejected {
  try {
    fn();
  } catch (error) {
    if (error instanceof EventRejected) return error;
    throw error;
  }
  throw new Error("expected EventRejected");
}

describe("parseEvent", () => {
  test("expands channels and keeps socket_id as the excluded connection", () => {
    expect(parseEvent({ name: "e", data: "{}", channels: ["a", "b"], socket_id: "1.2" })).toEqual([
      { channel: "a", name: "e", data: "{}", excludeSocketId: "1.2" },
      { channel: "b", name: "e", data: "{}", excludeSocketId: "1.2" },
    ]);
    expect(parseEvent({ name: "e", data: "x", channel: "private-a" })).toEqual([
      { channel: "private-a", name: "e", data: "x" },
    ]);
  });

  test("enforces Pusher's limits with 400 or 413", () => {
    const base = { name: "e", data: "x", channels: ["a"] };
    expect(rejection(() => parseEvent({ ...base, data: "x".repeat(10 * 1024 + 1) })).status).toBe(
      413,
    );
    expect(parseEvent({ ...base, data: "x".repeat(10 * 1024) })).toHaveLength(1);
    const many = Array.from({ length: 101 }, (_, i) => `c${i}`);
    expect(rejection(() => parseEvent({ ...base, channels: many })).message).toContain(
      "Too many channels",
    );
    expect(parseEvent({ ...base, channels: many.slice(0, 100) })).toHaveLength(100);
    expect(rejection(() => parseEvent({ ...base, channels: ["c".repeat(201)] })).status).toBe(400);
    expect(rejection(() => parseEvent({ ...base, name: "n".repeat(201) })).status).toBe(400);
    expect(rejection(() => parseEvent({ ...base, channels: ["bad channel"] })).status).toBe(400);
    expect(rejection(() => parseEvent({ ...base, data: { a: 1 } })).message).toContain("string");
    expect(rejection(() => parseEvent({ ...base, socket_id: "abc" })).status).toBe(400);
    expect(rejection(() => parseEvent({ name: "e", data: "x" })).status).toBe(400);
  });
});

describe("parseBatch", () => {
  test("parses each item and caps the batch at 10", () => {
    const item = { channel: "a", name: "e", data: "1" };
    expect(parseBatch({ batch: [item, { ...item, channel: "b" }] })).toEqual([
      [{ channel: "a", name: "e", data: "1" }],
      [{ channel: "b", name: "e", data: "1" }],
    ]);
    expect(rejection(() => parseBatch({ batch: Array(11).fill(item) })).status).toBe(400);
    expect(rejection(() => parseBatch({ items: [] })).status).toBe(400);
  });
});
