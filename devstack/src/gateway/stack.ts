// The Supabase side of the devstack in one call: gateway plus the `sync` edge function, each pointing at
// the other (the edge's port is chosen first, so the gateway can proxy to it before it exists).
import { freePort } from "../postgres/system-cluster.ts";
import { type EdgeProcess, startEdge } from "./edge-process.ts";
import { type Gateway, type JwtMode, startGateway } from "./index.ts";

export interface PusherTarget {
  appId: string;
  key: string;
  secret: string;
  host: string;
  port: number;
  useTLS?: boolean;
}

export interface SupabaseStackOptions {
  /** A migrated database (base + supabase/migrations). */
  dbUrl: string;
  /** The legacy HS256 secret (accepted in both modes; the only key in `hs256`). */
  jwtSecret: string;
  /** `es256` (default, a current Supabase project) or `hs256` (the legacy JWT secret only). */
  jwtMode?: JwtMode;
  pusher: PusherTarget;
  /** Gateway port; 0 or absent: a free one. */
  port?: number;
  /** PUENTE_WEB_ORIGIN: the browser origins the edge answers CORS for (default `*`). */
  webOrigin?: string;
  /** Extra environment for the edge function. */
  edgeEnv?: Record<string, string>;
  edgeOutput?: "inherit" | "ignore";
}

export interface SupabaseStack {
  gateway: Gateway;
  edge: EdgeProcess;
  /** `${gateway.url}/functions/v1/sync`: what the agent calls PUENTE_API_URL. */
  functionsUrl: string;
  stop(): Promise<void>;
}

/**
 * What hosted Supabase gives a function: a current project's key dictionaries (its JWKS is fetched from
 * `SUPABASE_URL/auth/v1/.well-known/jwks.json`), or a legacy project's anon and service_role JWTs. The
 * legacy secret stays valid in both, as on a project that has not revoked it.
 */
function supabaseEnv(gateway: Gateway, jwtSecret: string): Record<string, string> {
  const keys: Record<string, string> = gateway.jwtMode === "es256"
    ? {
      SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: gateway.anonKey }),
      SUPABASE_SECRET_KEYS: JSON.stringify({ default: gateway.serviceRoleKey }),
    }
    : { SUPABASE_ANON_KEY: gateway.anonKey, SUPABASE_SERVICE_ROLE_KEY: gateway.serviceRoleKey };
  return { SUPABASE_URL: gateway.url, ...keys, PUENTE_JWT_SECRET: jwtSecret };
}

export async function startSupabaseStack(options: SupabaseStackOptions): Promise<SupabaseStack> {
  const edgePort = await freePort();
  const gateway = await startGateway({
    dbUrl: options.dbUrl,
    jwtSecret: options.jwtSecret,
    jwtMode: options.jwtMode,
    functionsUpstream: `http://127.0.0.1:${edgePort}`,
    port: options.port,
  });
  let edge: EdgeProcess;
  try {
    edge = await startEdge({
      port: edgePort,
      output: options.edgeOutput,
      env: {
        ...supabaseEnv(gateway, options.jwtSecret),
        PUSHER_APP_ID: options.pusher.appId,
        PUSHER_KEY: options.pusher.key,
        PUSHER_SECRET: options.pusher.secret,
        PUSHER_HOST: options.pusher.host,
        PUSHER_PORT: String(options.pusher.port),
        PUSHER_USE_TLS: options.pusher.useTLS ? "true" : "false",
        PUENTE_WEB_ORIGIN: options.webOrigin ?? "*",
        ...options.edgeEnv,
      },
    });
  } catch (error) {
    await gateway.stop();
    throw error;
  }
  return {
    gateway,
    edge,
    functionsUrl: `${gateway.url}/functions/v1/sync`,
    async stop() {
      await edge.stop();
      await gateway.stop();
    },
  };
}
