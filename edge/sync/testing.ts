// Test support for the route tests: the real app with an in-memory database (scripted RPC answers,
// recorded calls), a recording notifier, real Pusher signing and HS256 tokens minted like GoTrue's.
import Pusher from "pusher";
import { createJwtVerifier } from "../_shared/auth.ts";
import { databaseOver, type RpcTransport } from "../_shared/db.ts";
import type { RpcFailure } from "../_shared/errors.ts";
import { pusherAuthorizer, RecordingNotifier } from "../_shared/pusher.ts";
import { createApp } from "./app.ts";
import type { SyncDeps } from "./context.ts";

export const JWT_SECRET = "edge-test-secret-with-32-characters!";
export const PUSHER_SECRET = "pusher-test-secret";
export const AGENT = {
  agentId: "8d7c2f0e-1b2a-4c3d-9e8f-0a1b2c3d4e5f",
  name: "Oficina",
  key: "agent-key-1",
};
export const OTHER_AGENT_ID = "11111111-2222-4333-8444-555555555555";

export interface RecordedCall {
  fn: string;
  args: Record<string, unknown>;
  as: string;
}

export type RpcScript = (args: Record<string, unknown>, as: string) => unknown;

/** Thrown inside an RpcScript to make the RPC fail like PostgREST would. */
export class ScriptedRpcError extends Error {
  constructor(readonly failure: RpcFailure, readonly status = 400) {
    super(failure.message);
  }
}

const encoder = new TextEncoder();
const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

export async function signHs256(
  claims: Record<string, unknown>,
  secret = JWT_SECRET,
): Promise<string> {
  const head = b64url(encoder.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
  const body = b64url(encoder.encode(JSON.stringify(claims)));
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
  const signature = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, encoder.encode(`${head}.${body}`)),
  );
  return `${head}.${body}.${b64url(signature)}`;
}

/** A user access token as GoTrue issues it; `role` is the Puente role in app_metadata. */
export async function userToken(
  role: "admin" | "staff" | null,
  sub = "0b5a3c1d-2e4f-4a6b-8c9d-0e1f2a3b4c5d",
) {
  const now = Math.floor(Date.now() / 1000);
  return await signHs256({
    aud: "authenticated",
    sub,
    role: "authenticated",
    email: `${role ?? "nobody"}@example.com`,
    app_metadata: role ? { provider: "email", role } : { provider: "email" },
    iat: now,
    exp: now + 3600,
  });
}

export function createTestApp(
  scripts: Record<string, RpcScript> = {},
  overrides: Partial<SyncDeps> = {},
) {
  const calls: RecordedCall[] = [];
  const logs: Record<string, unknown>[] = [];
  const notifier = new RecordingNotifier();
  const allScripts: Record<string, RpcScript> = {
    authenticate_agent: (args) => {
      if (args.p_key === AGENT.key) return { agentId: AGENT.agentId, name: AGENT.name };
      throw new ScriptedRpcError({ code: "PT401", message: "unknown or revoked agent key" }, 401);
    },
    health: () => ({ ok: true, now: "2026-01-01T00:00:00Z" }),
    ...scripts,
  };
  const transport = (as: string): RpcTransport => (fn, args) => {
    calls.push({ fn, args: JSON.parse(JSON.stringify(args)), as });
    const script = allScripts[fn];
    if (!script) {
      return Promise.resolve({
        data: null,
        error: { code: "PGRST202", message: `no ${fn}` },
        status: 404,
      });
    }
    try {
      return Promise.resolve({ data: script(args, as) ?? null, error: null, status: 200 });
    } catch (error) {
      if (error instanceof ScriptedRpcError) {
        return Promise.resolve({ data: null, error: error.failure, status: error.status });
      }
      return Promise.reject(error);
    }
  };
  const deps: SyncDeps = {
    db: databaseOver({
      anon: transport("anon"),
      service: transport("service"),
      user: (jwt) => transport(`user:${jwt}`),
    }),
    verifyJwt: createJwtVerifier({ legacySecret: JWT_SECRET }),
    notifier,
    authorizer: pusherAuthorizer(
      new Pusher({ appId: "1", key: "pusher-key", secret: PUSHER_SECRET, host: "127.0.0.1" }),
    ),
    maxBodyBytes: 1024 * 1024,
    webOrigins: ["*"],
    version: "test",
    writeLog: (line) => logs.push(JSON.parse(line)),
    ...overrides,
  };
  const app = createApp(deps);
  const request = (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const { json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (json !== undefined && !headers.has("content-type")) {
      headers.set("content-type", "application/json");
    }
    return app.request(`/sync${path}`, {
      method: json !== undefined ? "POST" : rest.method,
      ...rest,
      headers,
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    });
  };
  return { app, deps, calls, logs, notifier, request };
}

export const agentHeaders = { Authorization: `Bearer ${AGENT.key}` };

/** A RunSummary as the database answers it. */
export function runSummary(overrides: Record<string, unknown> = {}) {
  return {
    id: "3f1e2d3c-4b5a-4697-8877-665544332211",
    agentId: AGENT.agentId,
    commandId: null,
    source: "ferrawin",
    mode: "incremental",
    params: { mode: "incremental" },
    status: "running",
    scheduled: false,
    total: 100,
    done: 10,
    counts: { planillas: { created: 1, updated: 0, unchanged: 0, deleted: 0, rejected: 0 } },
    cursor: null,
    ratePerS: 5,
    lastItem: { code: "2025-000012", cliente: "ACME", obra: "Torre" },
    error: null,
    createdAt: "2026-01-01T00:00:00.000Z",
    startedAt: "2026-01-01T00:00:01.000Z",
    updatedAt: "2026-01-01T00:00:02.000Z",
    finishedAt: null,
    ...overrides,
  };
}
