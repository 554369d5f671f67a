// Production wiring: the validated environment turned into the real dependencies (supabase-js, Pusher, JWT).
import { createJwtVerifier } from "../_shared/auth.ts";
import { supabaseDatabase } from "../_shared/db.ts";
import { loadEnv } from "../_shared/env.ts";
import { pusherAuthorizer, pusherClient, pusherNotifier } from "../_shared/pusher.ts";
import { supabaseAuthAdmin } from "../_shared/portal-accounts.ts";
import type { SyncDeps } from "./context.ts";

export const EDGE_VERSION = "0.1.0";

export function productionDeps(environment: Record<string, string | undefined>): SyncDeps {
  const env = loadEnv(environment);
  const pusher = pusherClient(env.pusher);
  return {
    db: supabaseDatabase(env),
    verifyJwt: createJwtVerifier(env.jwt),
    notifier: pusherNotifier(pusher),
    authorizer: pusherAuthorizer(pusher),
    maxBodyBytes: env.maxBodyBytes,
    webOrigins: env.webOrigins,
    version: EDGE_VERSION,
    portalAccounts: env.portalAccounts === "invite"
      ? supabaseAuthAdmin(env.supabaseUrl, env.serviceRoleKey)
      : null,
  };
}
