// The Supabase API gateway stand-in: one HTTP server with Supabase's URL layout. `/rest/v1/*` follows
// PostgREST (RPC and table reads), `/auth/v1/*` a GoTrue subset, `/functions/v1/*` goes to the edge
// untouched (preflight included: the function answers its own CORS, as on Supabase). API keys are
// checked and mapped to roles the way Supabase's gateway does (api-keys.ts).
import postgres from "postgres";
import { resolveApiKey } from "./api-keys.ts";
import { preflight, withCors } from "./cors.ts";
import { proxyToFunctions } from "./functions-proxy.ts";
import { AuthRoutes } from "./gotrue/routes.ts";
import { ensureAuthSchema } from "./gotrue/schema.ts";
import { type JwtClaims, JwtInvalid, type JwtMode, ProjectKeys } from "./jwt.ts";
import { FunctionCatalog } from "./postgrest/catalog.ts";
import { errorResponse } from "./postgrest/errors.ts";
import { SUPABASE_EXPOSED_SCHEMAS } from "./postgrest/profile.ts";
import type { Caller } from "./postgrest/request-settings.ts";
import { loadRoleSettings, type RoleSettings } from "./postgrest/role-settings.ts";
import { RpcHandler } from "./postgrest/rpc.ts";
import { TableHandler } from "./postgrest/tables.ts";

export { mintApiKey, signJwt, verifyJwt } from "./jwt.ts";
export type { JwtClaims, JwtMode } from "./jwt.ts";

export interface GatewayOptions {
  /** Superuser (or authenticator-capable) connection string; roles are switched per request. */
  dbUrl: string;
  /** The legacy HS256 JWT secret: accepted for verification in both modes, the only key in `hs256`. */
  jwtSecret: string;
  /**
   * `es256` (default): a current project, ES256 user tokens with a `kid` and a JWKS, `sb_publishable_…`
   * / `sb_secret_…` API keys. `hs256`: the legacy project, HS256 tokens and JWT API keys.
   */
  jwtMode?: JwtMode;
  /** Base URL of the edge server; `/functions/v1/sync/x` is forwarded to `<upstream>/sync/x`. */
  functionsUpstream: string;
  /** PostgREST's `db-schemas` (Supabase's `[api] schemas`); default `public, graphql_public`. */
  exposedSchemas?: string[];
  /** 0 or absent: a free port. */
  port?: number;
  hostname?: string;
  /** Pool size for RPC and auth connections (default 20). */
  poolSize?: number;
}

export interface Gateway {
  /** Base URL to give createClient(), e.g. http://127.0.0.1:54321 */
  url: string;
  port: number;
  jwtMode: JwtMode;
  /** Publishable key (es256) or legacy anon JWT (hs256). */
  anonKey: string;
  /** Secret key (es256) or legacy service_role JWT (hs256). */
  serviceRoleKey: string;
  /** Where GoTrue publishes the project's public signing keys. */
  jwksUrl: string;
  /** Signs a token with the project's current key, as GoTrue would (tests forge users with it). */
  signToken(claims: JwtClaims): string;
  /** Reads the role settings again, as PostgREST does on `NOTIFY pgrst, 'reload config'`. */
  reloadConfig(): Promise<void>;
  stop(): Promise<void>;
}

const JWKS_PATH = "/.well-known/jwks.json";

const AUTH_OPEN_PATHS = new Set(["/auth/v1/verify", "/auth/v1/callback", "/auth/v1/authorize"]);

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const sql = postgres(options.dbUrl, {
    max: options.poolSize ?? 20,
    onnotice: () => {},
    connection: { application_name: "puente-gateway" },
  });
  await ensureAuthSchema(sql);
  let roleSettings: RoleSettings = await loadRoleSettings(sql);
  const hostname = options.hostname ?? "127.0.0.1";
  const keys = new ProjectKeys(options.jwtMode ?? "es256", options.jwtSecret);
  const postgrest = {
    exposedSchemas: options.exposedSchemas ?? SUPABASE_EXPOSED_SCHEMAS,
    roleSettings: () => roleSettings,
  };
  const rpc = new RpcHandler(sql, new FunctionCatalog(sql), postgrest);
  const tables = new TableHandler(sql, postgrest);
  const auth = new AuthRoutes(sql, keys);

  const server = Bun.serve({
    hostname,
    port: options.port ?? 0,
    idleTimeout: 255,
    maxRequestBodySize: 512 * 1024 * 1024,
    fetch: async (request) => {
      const path = new URL(request.url).pathname;
      // Supabase's gateway forwards functions as they are: the function answers CORS itself.
      if (/^\/functions\/v1\/[^/]+/.test(path)) {
        return await proxyToFunctions(
          request,
          options.functionsUpstream,
          path.slice("/functions/v1".length),
        );
      }
      if (request.method === "OPTIONS") return preflight();
      try {
        return withCors(await route(request, path));
      } catch (error) {
        console.error(`[gateway] ${request.method} ${path} failed:`, error);
        return withCors(Response.json(
          { code: "gateway_error", message: String(error) },
          { status: 502 },
        ));
      }
    },
  });
  const url = `http://${hostname}:${server.port}`;

  /** PostgREST's view of the caller: the bearer's verified claims, else anon. */
  function callerOf(request: Request): Caller | Response {
    const token = /^Bearer\s+(.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!token) return { claims: { role: "anon" }, claimsJson: '{"role":"anon"}' };
    try {
      const claims = keys.verify(token);
      return { claims, claimsJson: JSON.stringify(claims) };
    } catch (error) {
      return errorResponse(401, {
        code: "PGRST301",
        message: error instanceof JwtInvalid ? error.message : String(error),
        details: null,
        hint: null,
      });
    }
  }

  async function route(original: Request, path: string): Promise<Response> {
    // The mail catcher (Mailpit's API), as `supabase start` serves it on its own port.
    if (path.startsWith("/__mail/")) {
      return auth.mail.handle(original, path.slice("/__mail".length));
    }
    const isRest = path.startsWith("/rest/v1/");
    if (!isRest && !path.startsWith("/auth/v1/")) {
      return Response.json(
        { code: "not_found", message: `no route ${original.method} ${path}` },
        { status: 404 },
      );
    }
    // The JWKS is public (anyone verifying tokens fetches it without a key), like GoTrue's open routes.
    if (path === "/auth/v1/.well-known/jwks.json") return await auth.handle(original, JWKS_PATH);
    // Links in emails are opened by a browser with no API key: Supabase's gateway leaves GoTrue's
    // verify, callback and authorize routes open (kong.yml's "auth-v1-open" services).
    if (AUTH_OPEN_PATHS.has(path)) {
      return await auth.handle(original, path.slice("/auth/v1".length));
    }
    const request = resolveApiKey(original, keys);
    if (request instanceof Response) return request;
    if (!isRest) return await auth.handle(request, path.slice("/auth/v1".length));

    const caller = callerOf(request);
    if (caller instanceof Response) return caller;
    const rpcMatch = /^\/rest\/v1\/rpc\/([^/]+)$/.exec(path);
    if (rpcMatch) {
      if (request.method !== "POST" && request.method !== "GET") {
        return errorResponse(405, {
          code: "PGRST101",
          message: `Cannot use the ${request.method} method on RPC`,
          details: null,
          hint: null,
        });
      }
      return await rpc.handle({
        request,
        functionName: decodeURIComponent(rpcMatch[1]!),
        ...caller,
      });
    }
    const tableMatch = /^\/rest\/v1\/([^/]+)$/.exec(path);
    if (tableMatch) {
      return await tables.handle(request, decodeURIComponent(tableMatch[1]!), caller);
    }
    return errorResponse(404, {
      code: "PGRST125",
      message: "Invalid path specified in request URL",
      details: null,
      hint: null,
    });
  }

  return {
    url,
    port: server.port!,
    jwtMode: keys.mode,
    anonKey: keys.anonKey,
    serviceRoleKey: keys.serviceRoleKey,
    jwksUrl: `${url}/auth/v1/.well-known/jwks.json`,
    signToken: (claims) => keys.sign(claims),
    async reloadConfig() {
      roleSettings = await loadRoleSettings(sql);
    },
    async stop() {
      await server.stop(true);
      await sql.end({ timeout: 5 });
    },
  };
}
