// LockHeld: another agent process on this machine already holds the run lock.
import { AgentError } from "./agent-error.ts";
import { EXIT_ALREADY_RUNNING } from "../exit-codes.ts";

export class LockHeld extends AgentError {
  override readonly name = "LockHeld";
  readonly code = "lock_held";
  override readonly exitCode = EXIT_ALREADY_RUNNING;
  constructor(readonly path: string, readonly pid: number) {
    super(
      `another puente-agent (PID ${pid}) is already running on this machine (lock ${path}). ` +
        "Stop it first, or wait for its run to finish.",
    );
  }
}
