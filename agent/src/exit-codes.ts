// The agent's exit codes, in one place: main.ts returns an AgentError's `exitCode`, the daemon its own
// end, and service-units.ts tells systemd which of them a restart cannot fix.

export const EXIT_OK = 0;
/** Anything else that went wrong; the message says what. */
export const EXIT_FAILURE = 1;
/** The command line was wrong. */
export const EXIT_USAGE = 2;
/**
 * EX_TEMPFAIL: the agent refused to start a run because one is already active: another agent process
 * holds this machine's lock, or the server has a run of that source running.
 */
export const EXIT_ALREADY_RUNNING = 75;
/** The agent key was refused: restarting cannot help, so systemd must not. */
export const EXIT_KEY_INVALID = 78;
/** A `sync` cancelled with Ctrl-C (128 + SIGINT). */
export const EXIT_CANCELLED = 130;
