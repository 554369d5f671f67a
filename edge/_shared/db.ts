// Database access through supabase-js RPCs: user routes forward the user's JWT so RLS applies; the
// service key is handed out only together with an agent whose key the database has just accepted.
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import type { EdgeEnv } from "./env.ts";
import { ApiError, apiErrorFromRpc, type RpcFailure } from "./errors.ts";

export interface Rpc {
  call<T = unknown>(fn: string, args?: Record<string, unknown>): Promise<T>;
}

export interface AuthenticatedAgent {
  agentId: string;
  name: string;
  /** Passed again to every agent RPC: the database never trusts a caller's claim about who it is. */
  key: string;
}

export interface Database {
  anon(): Rpc;
  asUser(jwt: string): Rpc;
  /** Checks the key with authenticate_agent; only then is the service-role RPC returned. */
  authenticateAgent(key: string): Promise<{ agent: AuthenticatedAgent; rpc: Rpc }>;
}

/** Any function that performs one RPC and reports PostgREST's answer (supabase-js's shape). */
export type RpcTransport = (
  fn: string,
  args: Record<string, unknown>,
) => Promise<{ data: unknown; error: RpcFailure | null; status: number }>;

export function rpcOver(transport: RpcTransport): Rpc {
  return {
    async call<T>(fn: string, args: Record<string, unknown> = {}): Promise<T> {
      let answer: Awaited<ReturnType<RpcTransport>>;
      try {
        answer = await transport(fn, args);
      } catch (error) {
        throw new ApiError(502, "internal", `database unreachable during ${fn}: ${String(error)}`);
      }
      if (answer.error) throw apiErrorFromRpc(fn, answer.error, answer.status);
      return answer.data as T;
    },
  };
}

/** Builds the Database over any transport factory; tests use an in-memory one. */
export function databaseOver(transports: {
  anon: RpcTransport;
  user: (jwt: string) => RpcTransport;
  service: RpcTransport;
}): Database {
  const service = rpcOver(transports.service);
  return {
    anon: () => rpcOver(transports.anon),
    asUser: (jwt) => rpcOver(transports.user(jwt)),
    async authenticateAgent(key) {
      const found = await service.call<{ agentId: string; name: string }>("authenticate_agent", {
        p_key: key,
      });
      return { agent: { agentId: found.agentId, name: found.name, key }, rpc: service };
    },
  };
}

/** A server-side client: no session to keep, refresh or read from a URL. */
export const CLIENT_OPTIONS = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
};

function transportOf(client: SupabaseClient): RpcTransport {
  return async (fn, args) => {
    const { data, error, status } = await client.rpc(fn, args);
    return { data, error, status };
  };
}

export function supabaseDatabase(env: EdgeEnv): Database {
  const anon = createClient(env.supabaseUrl, env.anonKey, CLIENT_OPTIONS);
  const service = createClient(env.supabaseUrl, env.serviceRoleKey, CLIENT_OPTIONS);
  return databaseOver({
    anon: transportOf(anon),
    service: transportOf(service),
    user: (jwt) =>
      transportOf(createClient(env.supabaseUrl, env.anonKey, {
        ...CLIENT_OPTIONS,
        global: { headers: { Authorization: `Bearer ${jwt}` } },
      })),
  });
}
