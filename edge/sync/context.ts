// What every route of the sync function can reach: its dependencies (injected, so tests swap them) and
// what the auth middleware learned about the caller.
import type { Context } from "hono";
import type { JwtVerifier, User } from "../_shared/auth.ts";
import type { AuthenticatedAgent, Database, Rpc } from "../_shared/db.ts";
import type { ChannelAuthorizer, Notifier } from "../_shared/pusher.ts";
import type { AuthAdmin } from "../_shared/portal-accounts.ts";
import { eventSize, MAX_EVENT_BYTES } from "../_shared/pusher.ts";
import type { RequestIdVariables } from "../_shared/request-id.ts";

export interface SyncDeps {
  db: Database;
  verifyJwt: JwtVerifier;
  notifier: Notifier;
  authorizer: ChannelAuthorizer;
  /** The batches route's body limit (PUENTE_MAX_BODY_BYTES); other routes use BODY_LIMITS. */
  maxBodyBytes: number;
  webOrigins: string[];
  /** Build version reported by /health. */
  version: string;
  /** Where log lines go (one JSON object per line). */
  writeLog?: (line: string) => void;
  /** Set when PUENTE_PORTAL_ACCOUNTS=invite: new Wispro customers are invited to portal accounts. */
  portalAccounts?: AuthAdmin | null;
}

export interface SyncEnv {
  Variables: RequestIdVariables & {
    deps: SyncDeps;
    user: User;
    agent: AuthenticatedAgent;
    /** Service-role RPC, set only after the agent's key was accepted. */
    agentRpc: Rpc;
  };
}

export type SyncContext = Context<SyncEnv>;

/** Triggers a Pusher event; a failure or an oversized payload is logged, never thrown. */
export async function notify(
  c: SyncContext,
  channel: string,
  event: string,
  data: unknown,
): Promise<void> {
  const size = eventSize(data);
  if (size > MAX_EVENT_BYTES) {
    c.var.log("warn", "pusher event too large, not sent", { channel, event, size });
    return;
  }
  try {
    await c.var.deps.notifier.trigger(channel, event, data);
  } catch (error) {
    c.var.log("warn", "pusher trigger failed; clients will catch up from Postgres", {
      channel,
      event,
      error: String(error),
    });
  }
}
