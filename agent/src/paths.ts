// Where the agent keeps its files under PUENTE_STATE_DIR, for every command that reads or writes them.
import { join } from "node:path";
import type { AgentConfig } from "./config.ts";

/** The lock one agent process per machine holds while it runs (lock.ts). */
export const lockPath = (config: Pick<AgentConfig, "stateDir">) =>
  join(config.stateDir, "agent.lock");

/** The runs this agent has open or paused (run-state.ts). */
export const runStatePath = (config: Pick<AgentConfig, "stateDir">) =>
  join(config.stateDir, "runs.json");
