// AgentOutdated: the API answered 426: it does not speak this agent's protocol version. Nothing works
// until the agent (or, for a newer agent, the edge function) is updated.
import { AgentError } from "./agent-error.ts";

export class AgentOutdated extends AgentError {
  override readonly name = "AgentOutdated";
  readonly code = "protocol_unsupported";
  constructor(readonly serverMessage: string) {
    super(
      `${serverMessage}. Get the executable of the current release and run ` +
        "`puente-agent upgrade <new executable>` on this PC.",
    );
  }
}
