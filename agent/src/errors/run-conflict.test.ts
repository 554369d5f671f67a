import { describe, expect, test } from "bun:test";
import { CONFLICT_CODES } from "@puente/protocol";
import { RunConflict } from "./run-conflict.ts";
import { EXIT_ALREADY_RUNNING, EXIT_FAILURE } from "../exit-codes.ts";

// The codes and words below are what the database raises (supabase/tests/010_conflict_codes.sql checks
// each one for real; tests/integration/edge-api.test.ts takes run_active through the real edge).
describe("RunConflict", () => {
  test("a run already going is told apart by its code, whatever the words", () => {
    for (
      const [code, server] of [
        ["run_active", "another run of this source is active"],
        ["command_run_under_way", "this command's run is already under way"],
        ["sync_already_active", "a ferrawin sync is already running or waiting for this agent"],
      ]
    ) {
      const error = new RunConflict(code!, server!);
      expect([code, error.code, error.isAlreadyRunning, error.exitCode]).toEqual([
        code,
        code,
        true,
        EXIT_ALREADY_RUNNING,
      ]);
      expect(error.message).toContain(server!);
    }
  });

  test("a run that stopped or ended is never called 'already running'", () => {
    for (
      const [code, server] of [
        ["run_not_running", "run is cancelled, not running"],
        ["run_not_running", "run is already completed"],
        ["run_not_resumable", "run is completed and cannot be resumed"],
        ["command_already_ran", "this command already ran: its run is cancelled"],
      ]
    ) {
      const error = new RunConflict(code!, server!);
      expect([code, error.isAlreadyRunning, error.exitCode]).toEqual([code, false, EXIT_FAILURE]);
      expect(error.message).not.toContain("already running");
      expect(error.message).toContain(server!);
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
