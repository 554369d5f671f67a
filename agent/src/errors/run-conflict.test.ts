import { describe, expect, test } from "bun:test";
import { CONFLICT_CODES } from "@puente/protocol";
import { RunConflict } from "./run-conflict.ts";
import { EXIT_ALREADY_RUNNING, EXIT_FAILURE } from "../exit-codes.ts";

// The codes and words below are what the database raises (supabase/tests/010_conflict_codes.sql checks
// each one for real; tests/integration/edge-api.test.ts takes run_active and run_not_running through
// the real edge to this class).
const CASES: [code: string, server: string, isAlreadyRunning: boolean][] = [
  ["run_active", "another run of this source is active", true],
  ["command_run_under_way", "this command's run is already under way", true],
  ["sync_already_active", "a ferrawin sync is already running or waiting for this agent", true],
  ["run_not_running", "run is cancelled, not running", false],
  ["run_not_running", "run is already completed", false],
  ["run_not_resumable", "run is completed and cannot be resumed", false],
  ["command_already_ran", "this command already ran: its run is cancelled", false],
  ["batch_conflict", "a concurrent batch wrote the same planilla", false],
];

describe("RunConflict", () => {
  test("each conflict is told by its code: a run already going exits 75, a stopped one 1", () => {
    for (const [code, server, isAlreadyRunning] of CASES) {
      const error = new RunConflict(code, server);
      expect([code, error.code, error.isAlreadyRunning, error.exitCode]).toEqual([
        code,
        code,
        isAlreadyRunning,
        isAlreadyRunning ? EXIT_ALREADY_RUNNING : EXIT_FAILURE,
      ]);
      expect(error.message).toContain(server);
      if (!isAlreadyRunning) expect(error.message).not.toContain("already running");
    }
  });

  test("the words alone decide nothing: an unnamed conflict stays a plain conflict", () => {
    const error = new RunConflict("conflict", "another run of this source is active");
    expect([error.code, error.isAlreadyRunning, error.exitCode]).toEqual([
      "conflict",
      false,
      EXIT_FAILURE,
    ]);
    expect(new RunConflict("some_future_code", "x").code).toBe("conflict");
  });

  test("every conflict code of the protocol has its own advice", () => {
    const advice = CONFLICT_CODES.map((code) => new RunConflict(code, "").message);
    expect(new Set(advice).size).toBe(CONFLICT_CODES.length);
  });
});
