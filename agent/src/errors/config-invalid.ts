// ConfigInvalid: the agent's configuration (environment or .env) is missing or wrong; names every variable.

export class ConfigInvalid extends Error {
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
