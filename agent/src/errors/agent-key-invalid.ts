// AgentKeyInvalid: the server answered 401 to the agent key. Nothing works until the key is replaced.
import { AgentError } from "./agent-error.ts";
import { EXIT_KEY_INVALID } from "../exit-codes.ts";

export class AgentKeyInvalid extends AgentError {
  override readonly name = "AgentKeyInvalid";
  readonly code = "agent_key_invalid";
  override readonly exitCode = EXIT_KEY_INVALID;
  constructor() {
    super(
      "the agent key was refused (401): it is wrong or was revoked. Create a new key for this agent " +
        "in the panel (Agentes → Nueva clave), then run `puente-agent init --agent-key <key>` " +
        "or set PUENTE_AGENT_KEY, and restart the agent.",
    );
  }
}
