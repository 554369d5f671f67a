// LockHeld: another agent process on this machine already holds the run lock.

export class LockHeld extends Error {
  override readonly name = "LockHeld";
  readonly code = "lock_held";
  constructor(readonly path: string, readonly pid: number) {
    super(
      `another puente-agent (PID ${pid}) is already running on this machine (lock ${path}). ` +
        "Stop it first, or wait for its run to finish.",
    );
  }
}
