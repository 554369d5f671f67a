// How the demo, the tests and the benchmarks run puente-agent from source against a devstack: the
// same as `npm run agent -- …`, with the stack's settings and its logs and state in a folder of its own.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentEnv, type ReadyInfo } from "./stack.ts";

export const AGENT_ENTRY = join(import.meta.dir, "..", "..", "agent", "src", "main.ts");

/** The agent's own settings (agent/src/config.ts): the prefixes of every variable it reads. */
const AGENT_SETTING = /^(PUENTE|FERRAWIN|WISPRO|PUSHER)_/;

/**
 * This process's whole environment (PATH, HOME, proxy and certificate settings…) less any agent
 * setting the person running the tests happens to have, plus `extra`: what an agent child inherits.
 */
export function inheritedEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !AGENT_SETTING.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

/** A fresh folder for one agent's logs/ and state/. */
export const newAgentHome = (): string => mkdtempSync(join(tmpdir(), "puente-agent-"));

/**
 * `Bun.spawn` options for `puente-agent <args>` in `home`; `env` overrides the stack's settings. The
 * CLI speaks English here (tests and benches read its messages; the log is English anyway) unless
 * `env` chooses another PUENTE_LANG.
 */
export function agentSpawnOptions(
  info: ReadyInfo,
  args: string[],
  home: string,
  env: Record<string, string> = {},
) {
  return {
    cmd: [process.execPath, AGENT_ENTRY, ...args],
    cwd: home,
    env: inheritedEnv({
      PUENTE_LANG: "en",
      ...agentEnv(info),
      PUENTE_LOG_DIR: home,
      PUENTE_STATE_DIR: join(home, "state"),
      ...env,
    }),
  };
}
