// How the demo, the tests and the benchmarks run puente-agent from source against a devstack: the
// same as `npm run agent -- …`, with the stack's settings and its logs and state in a folder of its own.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentEnv, type ReadyInfo } from "./stack.ts";

export const AGENT_ENTRY = join(import.meta.dir, "..", "..", "agent", "src", "main.ts");

/** A fresh folder for one agent's logs/ and state/. */
export const newAgentHome = (): string => mkdtempSync(join(tmpdir(), "puente-agent-"));

/** `Bun.spawn` options for `puente-agent <args>` in `home`; `env` overrides the stack's settings. */
export function agentSpawnOptions(
  info: ReadyInfo,
  args: string[],
  home: string,
  env: Record<string, string> = {},
) {
  return {
    cmd: [process.execPath, AGENT_ENTRY, ...args],
    cwd: home,
    env: {
      ...process.env,
      ...agentEnv(info),
      PUENTE_LOG_DIR: home,
      PUENTE_STATE_DIR: join(home, "state"),
      ...env,
    },
  };
}
