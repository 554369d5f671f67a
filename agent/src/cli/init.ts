// `init`: writes the agent's .env from flags, from `KEY=value` lines on stdin (`--stdin`, for scripted
// installs), or by asking for what is missing when the terminal is interactive: secrets are not
// echoed, and answers are read as UTF-8 from the terminal itself (Bun's prompt() garbles "Contraseña"
// on a Windows console). The file holds secrets: 0600 on Linux; on Windows its folder is restricted
// to SYSTEM and Administrators (install-security.ts).
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { defaultHomeDir, SECRET_VARIABLES } from "../config.ts";
import { formatDotenv, parseDotenv } from "../dotenv.ts";
import { windowsRestrictCommands } from "./install-security.ts";
import { readAnswer } from "./terminal-input.ts";

/** Each variable `init` writes: its flag, the question, and its default (null: none, may stay empty). */
export const INIT_FIELDS = [
  {
    variable: "PUENTE_API_URL",
    flag: "api-url",
    question: "Puente API URL (…/functions/v1/sync)",
    fallback: null,
    required: true,
  },
  {
    variable: "PUENTE_AGENT_KEY",
    flag: "agent-key",
    question: "Agent key (from the panel)",
    fallback: null,
    required: true,
  },
  {
    variable: "PUENTE_AGENT_ID",
    flag: "agent-id",
    question: "Agent id (from the panel)",
    fallback: null,
    required: false,
  },
  {
    variable: "FERRAWIN_HOST",
    flag: "ferrawin-host",
    question:
      "FerraWin SQL Server host, or HOST\\INSTANCE for a named instance (needs the SQL Server Browser service) (empty: no FerraWin)",
    fallback: null,
    required: false,
  },
  {
    variable: "FERRAWIN_PORT",
    flag: "ferrawin-port",
    // No default written: empty means 1433, or the port SQL Browser gives for a named instance.
    question: "FerraWin SQL Server port (empty: 1433, or SQL Browser's for HOST\\INSTANCE)",
    fallback: null,
    required: false,
    needs: "FERRAWIN_HOST",
  },
  {
    variable: "FERRAWIN_DATABASE",
    flag: "ferrawin-database",
    question: "FerraWin database",
    fallback: "FERRAWIN",
    required: false,
    needs: "FERRAWIN_HOST",
  },
  {
    variable: "FERRAWIN_USERNAME",
    flag: "ferrawin-username",
    question: "FerraWin SQL login",
    fallback: null,
    required: false,
    needs: "FERRAWIN_HOST",
  },
  {
    variable: "FERRAWIN_PASSWORD",
    flag: "ferrawin-password",
    question: "FerraWin SQL password",
    fallback: null,
    required: false,
    needs: "FERRAWIN_HOST",
  },
  {
    variable: "FERRAWIN_ENCRYPT",
    flag: "ferrawin-encrypt",
    question: "Encrypt the SQL Server connection (true/false)",
    fallback: "false",
    required: false,
    needs: "FERRAWIN_HOST",
  },
  {
    variable: "WISPRO_API_TOKEN",
    flag: "wispro-api-token",
    question: "Wispro API token (empty: no Wispro)",
    fallback: null,
    required: false,
  },
  {
    variable: "WISPRO_API_URL",
    flag: "wispro-api-url",
    question: "Wispro API URL",
    fallback: "https://www.cloud.wispro.co/api/v1",
    required: false,
    needs: "WISPRO_API_TOKEN",
  },
  {
    variable: "PUSHER_APP_KEY",
    flag: "pusher-app-key",
    question: "Pusher app key",
    fallback: null,
    required: false,
  },
  {
    variable: "PUSHER_APP_CLUSTER",
    flag: "pusher-app-cluster",
    question: "Pusher cluster",
    fallback: "mt1",
    required: false,
    needs: "PUSHER_APP_KEY",
  },
  {
    variable: "PUSHER_HOST",
    flag: "pusher-host",
    question: "Self-hosted Pusher host (empty: Pusher's cluster)",
    fallback: null,
    required: false,
    needs: "PUSHER_APP_KEY",
  },
  {
    variable: "PUSHER_PORT",
    flag: "pusher-port",
    question: "Self-hosted Pusher port",
    fallback: null,
    required: false,
    needs: "PUSHER_HOST",
  },
  {
    variable: "PUSHER_USE_TLS",
    flag: "pusher-use-tls",
    question: "Use TLS for Pusher (true/false)",
    fallback: "true",
    required: false,
    needs: "PUSHER_APP_KEY",
  },
] as const;

export type Ask = (
  question: string,
  fallback: string | null,
  isSecret: boolean,
) => string | null | Promise<string | null>;

/**
 * The values to write: flags first, then answers (when `ask` is given), then defaults. A field whose
 * prerequisite is empty (e.g. FERRAWIN_PORT without FERRAWIN_HOST) is left out.
 * Throws when a required value is missing.
 */
export async function collectEnvValues(
  flags: Record<string, string | boolean | undefined>,
  ask: Ask | null,
  piped: Record<string, string> = {},
): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const field of INIT_FIELDS) {
    if ("needs" in field && !values[field.needs]) continue;
    const flag = flags[field.flag];
    let value = typeof flag === "string" ? flag : piped[field.variable] ?? null;
    if (value === null && ask) {
      const isSecret = (SECRET_VARIABLES as readonly string[]).includes(field.variable);
      value = await ask(field.question, field.fallback, isSecret);
    }
    value = value?.trim() || field.fallback;
    if (!value) {
      if (field.required) {
        throw new Error(`${field.variable} is required: pass --${field.flag} <value>`);
      }
      continue;
    }
    values[field.variable] = value;
  }
  return values;
}

/** Writes the file owner-only (0600) because it holds the agent key and passwords. */
export function writeEnvFile(path: string, values: Record<string, string>, force: boolean): void {
  if (existsSync(path) && !force) {
    throw new Error(`${path} already exists: pass --force to overwrite it`);
  }
  const secrets = SECRET_VARIABLES.filter((name) => values[name]).join(", ");
  writeFileSync(
    path,
    formatDotenv(
      values,
      `Puente agent configuration, written by \`puente-agent init\` on ${
        new Date().toISOString()
      }.\n` +
        `Holds secrets (${secrets || "none"}): keep it readable by the agent's account only.`,
    ),
    { mode: 0o600 },
  );
  chmodSync(path, 0o600);
}

export async function initCommand(
  flags: Record<string, string | boolean | undefined>,
): Promise<number> {
  const path = typeof flags.output === "string" ? flags.output : join(defaultHomeDir(), ".env");
  const isInteractive = !flags.yes && !flags.stdin && Boolean(process.stdin.isTTY);
  const ask: Ask | null = isInteractive
    ? (question, fallback, isSecret) =>
      readAnswer(`${question}${fallback ? ` [${fallback}]` : ""}: `, { isSecret })
    : null;
  try {
    // Piped values: only the variables init writes, so a stray line cannot smuggle in another.
    const piped = flags.stdin ? parseDotenv(await new Response(Bun.stdin.stream()).text()) : {};
    const values = await collectEnvValues(flags, ask, piped);
    writeEnvFile(path, values, Boolean(flags.force));
    if (process.platform === "win32") {
      for (const argv of windowsRestrictCommands(dirname(path))) {
        const result = Bun.spawnSync(argv, { stdout: "ignore", stderr: "pipe" });
        if (result.exitCode !== 0) {
          throw new Error(
            `wrote ${path}, but could not restrict its folder (${result.stderr.toString().trim()}): ` +
              "run init as administrator",
          );
        }
      }
    }
    console.log(
      `wrote ${path} (${
        process.platform === "win32"
          ? "its folder is restricted to SYSTEM and Administrators"
          : "permissions 0600"
      }). Next: puente-agent doctor`,
    );
    return 0;
  } catch (error) {
    console.error(`init: ${(error as Error).message}`);
    return 2;
  }
}
