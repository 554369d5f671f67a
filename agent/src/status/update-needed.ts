// "Update the agent": kept in the state folder when the API refused this agent's protocol version, so
// `status` shows it after the agent has stopped; cleared when an agent starts.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const pathOf = (stateDir: string) => join(stateDir, "update-needed.json");

export function recordUpdateNeeded(stateDir: string, message: string): void {
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(pathOf(stateDir), JSON.stringify({ at: new Date().toISOString(), message }));
}

export function clearUpdateNeeded(stateDir: string): void {
  rmSync(pathOf(stateDir), { force: true });
}

export function readUpdateNeeded(stateDir: string): { at: string; message: string } | null {
  try {
    return JSON.parse(readFileSync(pathOf(stateDir), "utf8"));
  } catch {
    return null;
  }
}
