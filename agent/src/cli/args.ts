// The command line's grammar: every command, its options (node:util parseArgs) and its --help text.
// Pure: it turns argv into a parsed command or a help / usage message, and never touches the system.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { isMessageKey, langFlag, t, withoutLangFlag } from "../i18n/i18n.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * A command's texts live in the CLI's catalogue (i18n/messages.ts): `help.<name>.summary`, optional
 * `help.<name>.details` (examples, what it needs), and each option's `help.<name>.<option>` or the
 * shared `help.common.<option>`. Options that only name a .env variable keep it here, in no language.
 */
export interface CommandSpec {
  name: string;
  usage: string;
  options: Options;
  variableHelp?: Record<string, string>;
  /** How many positionals the command takes (min, max). */
  positionals: [number, number];
}

const common: Options = {
  help: { type: "boolean", short: "h" },
  "env-file": { type: "string" },
  // Read before parsing (i18n.ts resolveCliLang); listed so every command's help shows it.
  lang: { type: "string" },
};

export const COMMANDS: CommandSpec[] = [
  {
    name: "run",
    usage: "puente-agent run [--env-file FILE]",
    options: { ...common, quiet: { type: "boolean", short: "q" } },
    positionals: [0, 0],
  },
  {
    name: "sync",
    usage:
      "puente-agent sync <ferrawin|wispro> [--mode incremental|year|one|all] [--year Y] [--from-code C] [--code C]",
    options: {
      ...common,
      mode: { type: "string", short: "m" },
      year: { type: "string", short: "y" },
      "from-code": { type: "string" },
      code: { type: "string", short: "c" },
      json: { type: "boolean" },
    },
    positionals: [1, 1],
  },
  {
    name: "status",
    usage: "puente-agent status [--json]",
    options: { ...common, json: { type: "boolean" } },
    positionals: [0, 0],
  },
  {
    name: "config",
    usage: "puente-agent config [--env-file FILE] [--json]",
    options: { ...common, json: { type: "boolean" } },
    positionals: [0, 0],
  },
  {
    name: "doctor",
    usage: "puente-agent doctor",
    options: { ...common, timeout: { type: "string" } },
    positionals: [0, 0],
  },
  {
    name: "init",
    usage:
      "puente-agent init [--api-url URL] [--agent-key KEY] [--agent-id ID] [--stdin] [--force] ...",
    options: {
      ...common,
      output: { type: "string", short: "o" },
      force: { type: "boolean", short: "f" },
      yes: { type: "boolean", short: "y" },
      stdin: { type: "boolean" },
      "api-url": { type: "string" },
      "agent-key": { type: "string" },
      "agent-id": { type: "string" },
      "ferrawin-host": { type: "string" },
      "ferrawin-port": { type: "string" },
      "ferrawin-database": { type: "string" },
      "ferrawin-username": { type: "string" },
      "ferrawin-password": { type: "string" },
      "ferrawin-encrypt": { type: "string" },
      "wispro-api-url": { type: "string" },
      "wispro-api-token": { type: "string" },
      "pusher-app-key": { type: "string" },
      "pusher-app-cluster": { type: "string" },
      "pusher-host": { type: "string" },
      "pusher-port": { type: "string" },
      "pusher-use-tls": { type: "string" },
    },
    variableHelp: {
      "ferrawin-host": "FERRAWIN_HOST",
      "ferrawin-port": "FERRAWIN_PORT (1433)",
      "ferrawin-database": "FERRAWIN_DATABASE (FERRAWIN)",
      "ferrawin-username": "FERRAWIN_USERNAME",
      "ferrawin-password": "FERRAWIN_PASSWORD",
      "ferrawin-encrypt": "FERRAWIN_ENCRYPT (false)",
      "wispro-api-url": "WISPRO_API_URL",
      "wispro-api-token": "WISPRO_API_TOKEN",
      "pusher-app-key": "PUSHER_APP_KEY",
      "pusher-app-cluster": "PUSHER_APP_CLUSTER (mt1)",
      "pusher-port": "PUSHER_PORT",
      "pusher-use-tls": "PUSHER_USE_TLS (true)",
    },
    positionals: [0, 0],
  },
  {
    name: "service",
    usage:
      "puente-agent service <install|uninstall|start|stop> [--print] [--name NAME] [--user USER]",
    options: {
      ...common,
      print: { type: "boolean" },
      name: { type: "string" },
      user: { type: "string" },
      platform: { type: "string" },
    },
    positionals: [1, 1],
  },
  {
    name: "upgrade",
    usage: "puente-agent upgrade <new-executable> [--name NAME] [--no-service]",
    options: {
      ...common,
      name: { type: "string" },
      installed: { type: "string" },
      "no-service": { type: "boolean" },
      platform: { type: "string" },
    },
    positionals: [1, 1],
  },
  {
    name: "version",
    usage: "puente-agent version",
    options: { ...common },
    positionals: [0, 0],
  },
];

export type ParsedCommandLine =
  | {
    kind: "command";
    command: string;
    values: Record<string, string | boolean | undefined>;
    positionals: string[];
  }
  | { kind: "help"; text: string }
  | { kind: "usage-error"; message: string; text: string };

/** Parses `argv` (without the program name); `--lang` is taken out first (main.ts applied it). */
export function parseCommandLine(fullArgv: string[]): ParsedCommandLine {
  const lang = langFlag(fullArgv);
  const argv = withoutLangFlag(fullArgv);
  const [first, ...rest] = argv;
  if (lang !== null && lang !== "es" && lang !== "en") {
    const spec = COMMANDS.find((c) => c.name === first);
    return {
      kind: "usage-error",
      message: t("main.badLang", { lang }),
      text: spec ? commandHelp(spec) : mainHelp(),
    };
  }
  if (!first || first === "--help" || first === "-h" || first === "help") {
    const topic = first === "help" ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    return { kind: "help", text: topic ? commandHelp(topic) : mainHelp() };
  }
  if (first === "--version" || first === "-v") {
    return { kind: "command", command: "version", values: {}, positionals: [] };
  }
  const spec = COMMANDS.find((c) => c.name === first);
  if (!spec) {
    return {
      kind: "usage-error",
      message: t("help.unknownCommand", { command: first }),
      text: mainHelp(),
    };
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: spec.options,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const unknown = (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION"
      ? unknownOption(spec, rest)
      : null;
    return {
      kind: "usage-error",
      // parseArgs words its own errors in English; the one a typo causes is said in the CLI's language.
      message: unknown ? t("help.unknownOption", { option: unknown }) : (error as Error).message,
      text: commandHelp(spec),
    };
  }
  if (parsed.values.help) return { kind: "help", text: commandHelp(spec) };
  const [min, max] = spec.positionals;
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    return {
      kind: "usage-error",
      message: parsed.positionals.length < min
        ? t("help.missingArgument")
        : t("help.unexpectedArgument", { argument: parsed.positionals[max]! }),
      text: commandHelp(spec),
    };
  }
  return {
    kind: "command",
    command: spec.name,
    values: parsed.values as Record<string, string | boolean | undefined>,
    positionals: parsed.positionals,
  };
}

/** The first `--name` or `-x` in `args` that `spec` does not define. */
function unknownOption(spec: CommandSpec, args: string[]): string | null {
  const shorts = new Set(Object.values(spec.options).map((o) => o.short).filter(Boolean));
  for (const arg of args) {
    if (arg === "--") break;
    const long = arg.match(/^--([^=]+)/)?.[1];
    if (long !== undefined && !(long in spec.options)) return `--${long}`;
    const short = arg.match(/^-([^-])/)?.[1];
    if (short !== undefined && long === undefined && !shorts.has(short)) return `-${short}`;
  }
  return null;
}

/** A command's text from the catalogue, or "" when it has none (details are optional). */
function commandText(spec: CommandSpec, part: string): string {
  const key = `help.${spec.name}.${part}`;
  return isMessageKey(key) ? t(key) : "";
}

/** An option's help: the command's own text, else the shared one, else the variable it sets. */
export function optionHelp(spec: CommandSpec, option: string): string {
  const shared = `help.common.${option}`;
  return commandText(spec, option) ||
    (isMessageKey(shared) ? t(shared) : spec.variableHelp?.[option] ?? "");
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    t("help.intro"),
    "",
    t("help.usage", { usage: "puente-agent <command> [options]" }),
    "",
    t("help.commands"),
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${commandText(c, "summary")}`),
    "",
    t("help.more"),
    t("help.config"),
    t("help.language"),
  ].join("\n");
}

export function commandHelp(spec: CommandSpec): string {
  const flags = Object.entries(spec.options).map(([name, option]) => {
    const short = option.short ? `-${option.short}, ` : "    ";
    const value = option.type === "string" ? " <value>" : "";
    return [`  ${short}--${name}${value}`, optionHelp(spec, name)] as const;
  });
  const width = Math.max(...flags.map(([flag]) => flag.length));
  const details = commandText(spec, "details");
  return [
    `puente-agent ${spec.name}: ${commandText(spec, "summary")}`,
    "",
    t("help.usage", { usage: spec.usage }),
    "",
    t("help.options"),
    ...flags.map(([flag, help]) => `${flag.padEnd(width)}  ${help}`),
    ...(details ? ["", details] : []),
  ].join("\n");
}
