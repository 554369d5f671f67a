// RunConflict: the server refused (409) to open a run because this agent already has one running,
// or refused a batch, progress or finish because the run is no longer running (cancelled, paused or
// marked stalled meanwhile). The message says which, so nobody is told "already running" about a run
// that was cancelled.

const NOT_RUNNING = /\brun is (not running|cancelled|completed|failed|paused|stalled|already \w+)/i;

export class RunConflict extends Error {
  override readonly name = "RunConflict";
  readonly code = "run_conflict";
  /** True when the server said the run itself is no longer running (not that another one is). */
  readonly runNotRunning: boolean;
  constructor(readonly serverMessage: string) {
    const notRunning = NOT_RUNNING.test(serverMessage);
    super(
      notRunning
        ? `the run is no longer running (${serverMessage}): it was cancelled, paused or marked ` +
          "stalled from the panel or by another process. Start or resume it from the panel."
        : `another run of this agent is already running (${serverMessage}). Wait for it to ` +
          "finish, or pause or cancel it from the panel.",
    );
    this.runNotRunning = notRunning;
  }
}
