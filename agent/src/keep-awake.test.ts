import { describe, expect, test } from "bun:test";
import { EXECUTION_STATE, keepAwakeWith, systemKeepAwake } from "./keep-awake.ts";

describe("keep awake", () => {
  test("holds with ES_CONTINUOUS|ES_SYSTEM_REQUIRED and lets go with ES_CONTINUOUS, once", () => {
    const calls: number[] = [];
    const keepAwake = keepAwakeWith((flags) => calls.push(flags));
    const release = keepAwake();
    expect(calls).toEqual([0x80000001]);
    const nested = keepAwake();
    release();
    release();
    expect(calls).toEqual([EXECUTION_STATE.hold]);
    nested();
    expect(calls).toEqual([EXECUTION_STATE.hold, 0x80000000]);
  });

  test("off Windows it takes no hold and needs no library", () => {
    const release = systemKeepAwake("linux")();
    release();
  });
});
