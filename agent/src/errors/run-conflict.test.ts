import { describe, expect, test } from "bun:test";
import { RunConflict } from "./run-conflict.ts";

describe("RunConflict", () => {
  test("another active run is called that", () => {
    const error = new RunConflict("another run of this agent and source is already active");
    expect(error.runNotRunning).toBe(false);
    expect(error.message).toStartWith("another run of this agent is already running");
  });

  test("a run cancelled, stalled or finished meanwhile is not called 'already running'", () => {
    for (
      const server of [
        "run is cancelled, not running",
        "run is stalled, not running",
        "run is not running",
        "run is already completed",
      ]
    ) {
      const error = new RunConflict(server);
      expect(error.runNotRunning).toBe(true);
      expect(error.message).toContain("the run is no longer running");
      expect(error.message).toContain(server);
      expect(error.message).not.toContain("already running");
    }
  });
});
