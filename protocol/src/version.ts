// The protocol version every wire message carries, so edge, agent and web can refuse a mismatch clearly.
import { z } from "zod";

export const PROTOCOL_VERSION = 1 as const;

/** `v` on every message; absent means the current version, anything else is refused. */
export const ProtocolVersion = z.literal(PROTOCOL_VERSION, {
  error: `unsupported protocol version (this build speaks v${PROTOCOL_VERSION})`,
}).default(PROTOCOL_VERSION);

/**
 * What the API answers a message in another protocol version: an older agent is told to update itself
 * (its log, `status` and the panel say "update the agent"); a newer one, that the API needs deploying.
 */
export function protocolMismatch(sent: unknown): string | null {
  if (sent === undefined || sent === PROTOCOL_VERSION) return null;
  // Only a version number can be another protocol: anything else (a string, a fraction, a negative
  // or an out-of-range number) is a malformed body, refused by the schema with 422.
  const isVersion = typeof sent === "number" && Number.isInteger(sent) && sent >= 0 &&
    sent <= 2_147_483_647;
  if (!isVersion) return null;
  const older = typeof sent === "number" && sent < PROTOCOL_VERSION;
  return older
    ? `this API speaks protocol v${PROTOCOL_VERSION} and no longer v${sent}: update the agent`
    : `this API speaks protocol v${PROTOCOL_VERSION}, not v${
      String(sent).slice(0, 16)
    }: deploy the current edge function, or use an agent of the same release`;
}
