// The agent's version, from its package.json, so the binary, the heartbeat and `version` agree.
import agentPackage from "../package.json" with { type: "json" };
import { PROTOCOL_VERSION } from "@puente/protocol";

export const AGENT_VERSION: string = agentPackage.version;

export function versionLine(): string {
  return `puente-agent ${AGENT_VERSION} (protocol v${PROTOCOL_VERSION}, bun ${Bun.version}, ${process.platform}-${process.arch})`;
}
