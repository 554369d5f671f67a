// ConfigInvalid: the agent's configuration (environment or .env) is missing or wrong; names every variable.
import { AgentError } from "./agent-error.ts";

export class ConfigInvalid extends AgentError {
  override readonly name = "ConfigInvalid";
  readonly code = "config_invalid";
  constructor(
    /** One entry per problem, each starting with the variable's name. */
    readonly problems: string[],
  ) {
    super(
      `the agent configuration is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}\n` +
        "Fix it in the .env file (puente-agent init writes one) or the environment.",
    );
  }
}
