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
import { t } from "../i18n/i18n.ts";

/**
 * Each variable `init` writes: its flag and its default (null: none, may stay empty); its question is
 * `init.q.<variable>` in the CLI's catalogue.
 */
export const INIT_FIELDS = [
  {
    variable: "PUENTE_API_URL",
    flag: "api-url",
    fallback: null,
    required: true,
  },
  {
    variable: "PUENTE_AGENT_KEY",
    flag: "agent-key",
    fallback: null,
    required: true,
  },
  {
    variable: "PUENTE_AGENT_ID",
    flag: "agent-id",
    fallback: null,
    required: false,
  },
  {
    variable: "FERRAWIN_HOST",
    flag: "ferrawin-host",
    fallback: null,
    required: false,
  },
  {
    variable: "FERRAWIN_PORT",
    flag: "ferrawin-port",
    // No default written: empty means 1433, or the port SQL Browser gives for a named instance.
    fallback: null,
    required: false,
    needs: "FERRAWIN_HOST",
  },
  {
    variable: "FERRAWIN_DATABASE",
    flag: "ferrawin-database",
    fallback: "FERRAWIN",
    required: false,
    needs: "FERRAWIN_HOST",
  },
  {
    variable: "FERRAWIN_USERNAME",
    flag: "ferrawin-username",
    fallback: null,
    required: false,
    needs: "FERRAWIN_HOST",
  },
  {
    variable: "FERRAWIN_PASSWORD",
    flag: "ferrawin-password",
    fallback: null,
    required: false,
    needs: "FERRAWIN_HOST",
  },
  {
    variable: "FERRAWIN_ENCRYPT",
    flag: "ferrawin-encrypt",
    fallback: "false",
    required: false,
    needs: "FERRAWIN_HOST",
  },
  {
    variable: "WISPRO_API_TOKEN",
    flag: "wispro-api-token",
    fallback: null,
    required: false,
  },
  {
    variable: "WISPRO_API_URL",
    flag: "wispro-api-url",
    fallback: "https://www.cloud.wispro.co/api/v1",
    required: false,
    needs: "WISPRO_API_TOKEN",
  },
  {
    variable: "PUSHER_APP_KEY",
    flag: "pusher-app-key",
    fallback: null,
    required: false,
  },
  {
    variable: "PUSHER_APP_CLUSTER",
    flag: "pusher-app-cluster",
    fallback: "mt1",
    required: false,
    needs: "PUSHER_APP_KEY",
  },
  {
    variable: "PUSHER_HOST",
    flag: "pusher-host",
    fallback: null,
    required: false,
    needs: "PUSHER_APP_KEY",
  },
  {
    variable: "PUSHER_PORT",
    flag: "pusher-port",
    fallback: null,
    required: false,
    needs: "PUSHER_HOST",
  },
  {
    variable: "PUSHER_USE_TLS",
    flag: "pusher-use-tls",
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
      value = await ask(t(`init.q.${field.variable}`), field.fallback, isSecret);
    }
    value = value?.trim() || field.fallback;
    if (!value) {
      if (field.required) {
        throw new Error(t("init.required", { variable: field.variable, flag: field.flag }));
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
    throw new Error(t("init.exists", { path }));
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
            t("init.restrictFailed", { path, detail: result.stderr.toString().trim() }),
          );
        }
      }
    }
    console.log(t(process.platform === "win32" ? "init.wroteWindows" : "init.wroteUnix", { path }));
    return 0;
  } catch (error) {
    console.error(`init: ${(error as Error).message}`);
    return 2;
  }
}
