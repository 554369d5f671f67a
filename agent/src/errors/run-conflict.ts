// RunConflict: the server refused (409) because of where a run stands. The server's code (protocol
// CONFLICT_CODES, raised by the database) says which situation it is; this class switches on that code,
// never on the message, and says what to do. The server's own words follow in parentheses.
import type { ConflictCode } from "@puente/protocol";
import { AgentError } from "./agent-error.ts";
import { EXIT_ALREADY_RUNNING, EXIT_FAILURE } from "../exit-codes.ts";

/** What each conflict means for this agent: the advice, and whether it is "a run is already going". */
const MEANING: Record<ConflictCode | "conflict", { advice: string; isAlreadyRunning: boolean }> = {
  run_active: {
    advice: "another run of this agent is already running (same source). Wait for it to finish, " +
      "or pause or cancel it from the panel",
    isAlreadyRunning: true,
  },
  command_run_under_way: {
    advice: "this command's run is already being streamed by another process of this agent. Wait " +
      "for it, or pause or cancel it from the panel",
    isAlreadyRunning: true,
  },
  sync_already_active: {
    advice: "a sync of this source is already running or waiting for this agent. Wait for it, or " +
      "pause or cancel it from the panel",
    isAlreadyRunning: true,
  },
  run_not_running: {
    advice:
      "the run is no longer running: it was cancelled, paused or marked stalled from the panel " +
      "or by another process. Start or resume it from the panel",
    isAlreadyRunning: false,
  },
  run_not_resumable: {
    advice: "the run already ended and cannot be resumed. Start a new sync from the panel",
    isAlreadyRunning: false,
  },
  command_already_ran: {
    advice: "this command already ran to its end. Start a new sync from the panel",
    isAlreadyRunning: false,
  },
  request_id_reused: {
    advice: "the request id was already used for another command",
    isAlreadyRunning: false,
  },
  command_not_claimed: {
    advice: "the command is not claimed by this agent any more",
    isAlreadyRunning: false,
  },
  batch_conflict: {
    advice: "a concurrent batch wrote the same planilla; nothing of this batch was written, and " +
      "resending it succeeds",
    isAlreadyRunning: false,
  },
  run_not_wispro: {
    advice: "portal accounts come from Wispro runs only",
    isAlreadyRunning: false,
  },
  conflict: {
    advice:
      "the server refused it as a conflict; nothing was written, and trying again may succeed",
    isAlreadyRunning: false,
  },
};

export class RunConflict extends AgentError {
  override readonly name = "RunConflict";
  readonly code: ConflictCode | "conflict";
  override readonly exitCode: number;
  /** True when a run is already going (here or on the server), not that this run stopped. */
  readonly isAlreadyRunning: boolean;
  constructor(serverCode: string, readonly serverMessage: string) {
    const code = serverCode in MEANING ? serverCode as ConflictCode | "conflict" : "conflict";
    const meaning = MEANING[code];
    super(`${meaning.advice} (${serverMessage})`);
    this.code = code;
    this.isAlreadyRunning = meaning.isAlreadyRunning;
    this.exitCode = meaning.isAlreadyRunning ? EXIT_ALREADY_RUNNING : EXIT_FAILURE;
  }
}
