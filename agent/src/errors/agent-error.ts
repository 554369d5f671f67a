// AgentError: the base of every failure the agent names. Callers act on its fields, never on its words:
// `code` (also what a failed run reports), `exitCode` (what main.ts returns) and `isResumable` (a run
// may continue after it by itself, e.g. a source connection lost mid-stream).
import { EXIT_FAILURE } from "../exit-codes.ts";

export abstract class AgentError extends Error {
  abstract readonly code: string;
  readonly exitCode: number = EXIT_FAILURE;
  readonly isResumable: boolean = false;
}
