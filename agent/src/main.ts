// puente-agent's entry: parse the command line, load the configuration once, run one command.
// `bun agent/src/main.ts <command>` from source is the same as the compiled `puente-agent <command>`.
// Each command's module is loaded when it runs, so `version` and `--help` do not load tedious or
// pusher-js.
import { parseCommandLine } from "./cli/args.ts";
import { type AgentConfig, loadConfig, redact } from "./config.ts";
import { versionLine } from "./version.ts";
import { AgentError } from "./errors/agent-error.ts";
import { EXIT_FAILURE, EXIT_USAGE } from "./exit-codes.ts";
import { resolveCliLang, setCliLang, t } from "./i18n/i18n.ts";
import { describeError } from "./i18n/error-message.ts";

export async function main(argv: string[]): Promise<number> {
  setCliLang(resolveCliLang(argv));
  const parsed = parseCommandLine(argv);
  if (parsed.kind === "help") {
    console.log(parsed.text);
    return 0;
  }
  if (parsed.kind === "usage-error") {
    console.error(`puente-agent: ${parsed.message}\n\n${parsed.text}`);
    return EXIT_USAGE;
  }
  const { command, values, positionals } = parsed;
  const envFile = typeof values["env-file"] === "string" ? values["env-file"] : undefined;
  let config: AgentConfig | null = null;
  try {
    switch (command) {
      case "version":
        console.log(versionLine());
        return 0;
      case "init":
        return await (await import("./cli/init.ts")).initCommand(values);
      case "service":
        return (await import("./cli/service.ts")).serviceCommand({
          action: positionals[0]!,
          print: Boolean(values.print),
          name: values.name as string | undefined,
          user: values.user as string | undefined,
          platform: values.platform as string | undefined,
          envFile: envFile ?? null,
        });
      case "upgrade":
        return (await import("./cli/upgrade-command.ts")).upgradeCommand({
          source: positionals[0]!,
          installed: values.installed as string | undefined,
          name: values.name as string | undefined,
          platform: values.platform as string | undefined,
          noService: Boolean(values["no-service"]),
          envFile: envFile ?? null,
        });
      case "config":
        return (await import("./cli/config-command.ts")).configCommand({
          envFile,
          json: Boolean(values.json),
        });
      case "doctor":
        return await (await import("./cli/doctor.ts")).doctorCommand({
          envFile,
          timeoutMs: Number(values.timeout ?? 10) * 1000,
        });
    }
    // Arguments are checked before the configuration, so a typo is reported as such.
    const sync = command === "sync" ? await import("./cli/sync.ts") : null;
    const request = sync ? sync.startRequestFromFlags(positionals[0], values) : null;
    config = loadConfig({ envFile });
    switch (command) {
      case "status":
        return (await import("./cli/status.ts")).statusCommand(config, {
          json: Boolean(values.json),
        });
      case "sync": {
        const logger = (await import("./wiring.ts")).agentLogger(config);
        return await sync!.syncCommand(config, logger, request!, { json: Boolean(values.json) });
      }
      case "run": {
        const logger = (await import("./wiring.ts")).agentLogger(config, { echo: !values.quiet });
        const stop = new AbortController();
        for (const signal of ["SIGINT", "SIGTERM"] as const) {
          process.once(signal, () => stop.abort(signal));
        }
        return await (await import("./daemon.ts")).runDaemon(config, logger, stop.signal);
      }
    }
    console.error(`puente-agent: ${t("main.notImplemented", { command })}`);
    return EXIT_USAGE;
  } catch (error) {
    const message = redact(describeError(error), config?.secrets ?? []);
    if ((error as Error).name === "UsageError") {
      console.error(`puente-agent ${command}: ${message}\n${t("main.seeHelp", { command })}`);
      return EXIT_USAGE;
    }
    console.error(`puente-agent ${command}: ${message}`);
    return error instanceof AgentError ? error.exitCode : EXIT_FAILURE;
  }
}

if (import.meta.main) {
  // pusher-js's Node transport calls url.parse(); its deprecation notice would only clutter service logs.
  process.noDeprecation = true;
  process.exit(await main(process.argv.slice(2)));
}
