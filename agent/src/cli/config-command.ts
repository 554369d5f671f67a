// `config`: the effective configuration, one variable a line, with where each value came from (the
// environment, the .env file, or the default) and secrets masked. What the service will use, before it
// runs; unlike `status` it also works when the configuration is incomplete.
import { describeVariables, type VariableSource } from "../config.ts";
import { type MessageKey, t } from "../i18n/i18n.ts";

const SOURCE_NAMES: Record<VariableSource, MessageKey> = {
  environment: "config.source.environment",
  ".env": "config.source.dotenv",
  default: "config.source.default",
  "not set": "config.source.notSet",
};

export function configCommand(options: { envFile?: string; json: boolean }): number {
  const { envFile, variables } = describeVariables({ envFile: options.envFile });
  if (options.json) {
    console.log(JSON.stringify({ envFile, variables }, null, 2));
    return 0;
  }
  console.log(`.env: ${envFile ?? t("config.noEnvFile")}`);
  const width = Math.max(...variables.map((v) => v.name.length));
  for (const v of variables) {
    const from = t(SOURCE_NAMES[v.source]);
    console.log(`${v.name.padEnd(width)}  ${v.value === "" ? "-" : v.value}  (${from})`);
  }
  return 0;
}
