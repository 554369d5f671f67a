// "Update the agent": kept in the state folder when the API refused this agent's protocol version, so
// `status` shows it after the agent has stopped; cleared when an agent starts.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AgentOutdated } from "../errors/agent-outdated.ts";

export interface UpdateNeeded {
  at: string;
  /** The agent's English message, as the log has it. */
  message: string;
  /** What the API said (absent in records of older agents), so `status` can say it in its language. */
  serverMessage?: string;
}

const pathOf = (stateDir: string) => join(stateDir, "update-needed.json");

export function recordUpdateNeeded(stateDir: string, error: AgentOutdated): void {
  mkdirSync(stateDir, { recursive: true });
  const record: UpdateNeeded = {
    at: new Date().toISOString(),
    message: error.message,
    serverMessage: error.serverMessage,
  };
  writeFileSync(pathOf(stateDir), JSON.stringify(record));
}

export function clearUpdateNeeded(stateDir: string): void {
  rmSync(pathOf(stateDir), { force: true });
}

export function readUpdateNeeded(stateDir: string): UpdateNeeded | null {
  try {
    return JSON.parse(readFileSync(pathOf(stateDir), "utf8"));
  } catch {
    return null;
  }
}
