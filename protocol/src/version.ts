// The protocol version every wire message carries, so edge, agent and web can refuse a mismatch clearly.
import { z } from "zod";

export const PROTOCOL_VERSION = 1 as const;

/** `v` on every message; absent means the current version, anything else is refused. */
export const ProtocolVersion = z.literal(PROTOCOL_VERSION, {
  error: `unsupported protocol version (this build speaks v${PROTOCOL_VERSION})`,
}).default(PROTOCOL_VERSION);
