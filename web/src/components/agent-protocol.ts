// Whether the API refuses an agent's protocol version, and what to tell the person: an older agent
// must be updated; a newer one means the API (the edge function) is the one behind.
import type { AgentRow } from "../api/rpc-shapes.ts";

export interface ProtocolWarning {
  key: "agent.outdated" | "agent.apiOutdated";
  seen: number;
  needed: number;
  since: string;
}

export function protocolWarning(
  agent: Pick<AgentRow, "protocolSeen" | "protocolNeeded" | "outdatedAt" | "revoked">,
): ProtocolWarning | null {
  const { protocolSeen: seen, protocolNeeded: needed, outdatedAt: since } = agent;
  if (agent.revoked || since === null || seen === null || needed === null || seen === needed) {
    return null;
  }
  return { key: seen < needed ? "agent.outdated" : "agent.apiOutdated", seen, needed, since };
}
