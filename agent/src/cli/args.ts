// The command line's grammar: every command, its options (node:util parseArgs) and its --help text.
// Pure: it turns argv into a parsed command or a help / usage message, and never touches the system.
import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  /** Extra lines after the options: examples, what the command needs. */
  details?: string;
  options: Options;
  optionHelp: Record<string, string>;
  /** How many positionals the command takes (min, max). */
  positionals: [number, number];
}

const common: Options = {
  help: { type: "boolean", short: "h" },
  "env-file": { type: "string" },
};
const commonHelp = {
  help: "show this help",
  "env-file":
    "read configuration from this .env file (default ./.env, then next to the executable)",
};

export const COMMANDS: CommandSpec[] = [
  {
    name: "run",
    summary:
      "run the agent: wait for commands from the panel, sync, report (what the service runs)",
    usage: "puente-agent run [--env-file FILE]",
    details:
      "Keeps a realtime connection to Pusher, claims commands on every doorbell, on every reconnect\n" +
      "and every 30 s (which also starts the schedules set in the panel), sends a heartbeat every\n" +
      "15 s, and resumes its own run left by a crash.\n" +
      "SIGINT / SIGTERM pause the active run (it resumes on the next start) and exit.",
    options: { ...common, quiet: { type: "boolean", short: "q" } },
    optionHelp: { ...commonHelp, quiet: "do not echo the log to the terminal" },
    positionals: [0, 0],
  },
  {
    name: "sync",
    summary: "sync once from this terminal, with a progress bar and a summary",
    usage:
      "puente-agent sync <ferrawin|wispro> [--mode incremental|year|one|all] [--year Y] [--from-code C] [--code C]",
    details: "Examples:\n" +
      "  puente-agent sync ferrawin                      new and modified planillas\n" +
      "  puente-agent sync ferrawin --mode year --year 2025 --from-code 2025-4000\n" +
      "  puente-agent sync ferrawin --mode one --code 2026-886\n" +
      "  puente-agent sync wispro                        every customer\n" +
      "Ctrl-C cancels the run at the next batch boundary; a second Ctrl-C quits at once.",
    options: {
      ...common,
      mode: { type: "string", short: "m" },
      year: { type: "string", short: "y" },
      "from-code": { type: "string" },
      code: { type: "string", short: "c" },
      json: { type: "boolean" },
    },
    optionHelp: {
      ...commonHelp,
      mode: "FerraWin: incremental (default), year, one or all; Wispro: full",
      year: "with --mode year: the year (ZCONTA)",
      "from-code": "with --mode year: start at this code and go down (inclusive)",
      code: "with --mode one: the planilla, e.g. 2026-886",
      json: "print the final summary as JSON instead of a table",
    },
    positionals: [1, 1],
  },
  {
    name: "status",
    summary: "show the configuration, whether an agent is running here, and unfinished runs",
    usage: "puente-agent status [--json]",
    options: { ...common, json: { type: "boolean" } },
    optionHelp: { ...commonHelp, json: "print as JSON" },
    positionals: [0, 0],
  },
  {
    name: "config",
    summary:
      "print the configuration the agent will use, where each value came from, secrets masked",
    usage: "puente-agent config [--env-file FILE] [--json]",
    details: "Sources: environment (wins), .env, default. Works even when a value is missing.",
    options: { ...common, json: { type: "boolean" } },
    optionHelp: { ...commonHelp, json: "print as JSON" },
    positionals: [0, 0],
  },
  {
    name: "doctor",
    summary: "check configuration, SQL Server, the API and its key, Pusher and the clock",
    usage: "puente-agent doctor",
    details: "Prints one ✔ or ✘ line per check with what to fix; exits 1 when a check fails.",
    options: { ...common, timeout: { type: "string" } },
    optionHelp: { ...commonHelp, timeout: "seconds to wait for each check (default 10)" },
    positionals: [0, 0],
  },
  {
    name: "init",
    summary:
      "write the .env file from flags, stdin or questions (readable by the service's account only)",
    usage:
      "puente-agent init [--api-url URL] [--agent-key KEY] [--agent-id ID] [--stdin] [--force] ...",
    details:
      "Asks for every value not given as a flag when the terminal is interactive; secrets\n" +
      "are not echoed. Use --yes to accept defaults and skip questions, and --stdin to read\n" +
      "KEY=value lines (e.g. PUENTE_AGENT_KEY=…) from standard input, so secrets stay out of the\n" +
      "command line and the shell history.",
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
    optionHelp: {
      ...commonHelp,
      output: "where to write (default .env next to the executable, or ./.env from source)",
      force: "overwrite an existing file",
      yes: "do not ask; use flags and defaults only",
      stdin: "read KEY=value lines (the .env's names) from standard input; flags win",
      "api-url": "PUENTE_API_URL, e.g. https://<project>.supabase.co/functions/v1/sync",
      "agent-key": "PUENTE_AGENT_KEY (from the panel)",
      "agent-id": "PUENTE_AGENT_ID (from the panel)",
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
      "pusher-host": "PUSHER_HOST (self-hosted server only)",
      "pusher-port": "PUSHER_PORT",
      "pusher-use-tls": "PUSHER_USE_TLS (true)",
    },
    positionals: [0, 0],
  },
  {
    name: "service",
    summary:
      "install, remove, start or stop the agent as a service (systemd on Linux, a task on Windows)",
    usage:
      "puente-agent service <install|uninstall|start|stop> [--print] [--name NAME] [--user USER]",
    details: "Linux: writes /etc/systemd/system/<name>.service and enables it (needs root).\n" +
      "Windows: creates a scheduled task that runs as SYSTEM at boot and every minute (one agent at\n" +
      "a time), so a crashed agent is back within a minute. `stop` disables the task and lets the\n" +
      "agent pause its run (resumed on `start`); Windows ends it only if it has not stopped in 2 min.\n" +
      "--print shows what would be written and run, and changes nothing.",
    options: {
      ...common,
      print: { type: "boolean" },
      name: { type: "string" },
      user: { type: "string" },
      platform: { type: "string" },
    },
    optionHelp: {
      ...commonHelp,
      print: "print the unit / commands instead of installing",
      name: 'service name (default "Puente Agent" on Windows, puente-agent on Linux)',
      user: "Linux: the user the service runs as (default: the current user)",
      platform: "linux or windows (default: this machine's)",
    },
    positionals: [1, 1],
  },
  {
    name: "upgrade",
    summary: "replace the installed agent with a new executable and restart its service",
    usage: "puente-agent upgrade <new-executable> [--name NAME] [--no-service]",
    details:
      "Checks that the new file runs, stops the service (the active run pauses), renames the\n" +
      "installed executable to .old, puts the new one in its place, checks it and starts the\n" +
      "service; on any failure the previous executable is put back. Run it from the installed\n" +
      "executable, as administrator (Windows) or root (Linux).",
    options: {
      ...common,
      name: { type: "string" },
      installed: { type: "string" },
      "no-service": { type: "boolean" },
      platform: { type: "string" },
    },
    optionHelp: {
      ...commonHelp,
      name: 'the service\'s name (default "Puente Agent" on Windows, puente-agent on Linux)',
      installed: "the executable to replace (default: this one)",
      "no-service": "do not stop or start the service (it is not installed)",
      platform: "linux or windows (default: this machine's)",
    },
    positionals: [1, 1],
  },
  {
    name: "version",
    summary: "print the agent's version",
    usage: "puente-agent version",
    options: { ...common },
    optionHelp: { ...commonHelp },
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

/** Parses `argv` (without the program name). */
export function parseCommandLine(argv: string[]): ParsedCommandLine {
  const [first, ...rest] = argv;
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
      message: `unknown command "${first}"`,
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
    return { kind: "usage-error", message: (error as Error).message, text: commandHelp(spec) };
  }
  if (parsed.values.help) return { kind: "help", text: commandHelp(spec) };
  const [min, max] = spec.positionals;
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    return {
      kind: "usage-error",
      message: parsed.positionals.length < min
        ? "missing argument"
        : `unexpected argument "${parsed.positionals[max]}"`,
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

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "puente-agent: syncs FerraWin and Wispro into Puente when the panel asks.",
    "",
    "Usage: puente-agent <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `puente-agent <command> --help` for a command's options.",
    "Configuration comes from the environment and a .env file (`puente-agent init` writes one).",
  ].join("\n");
}

export function commandHelp(spec: CommandSpec): string {
  const flags = Object.entries(spec.options).map(([name, option]) => {
    const short = option.short ? `-${option.short}, ` : "    ";
    const value = option.type === "string" ? " <value>" : "";
    return [`  ${short}--${name}${value}`, spec.optionHelp[name] ?? ""] as const;
  });
  const width = Math.max(...flags.map(([flag]) => flag.length));
  return [
    `puente-agent ${spec.name}: ${spec.summary}`,
    "",
    `Usage: ${spec.usage}`,
    "",
    "Options:",
    ...flags.map(([flag, help]) => `${flag.padEnd(width)}  ${help}`),
    ...(spec.details ? ["", spec.details] : []),
  ].join("\n");
}
