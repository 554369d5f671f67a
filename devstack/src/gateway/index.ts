// The Supabase API gateway stand-in: one HTTP server with Supabase's URL layout. `/rest/v1/rpc/*`
// follows PostgREST's RPC contract, `/auth/v1/*` a GoTrue subset, `/functions/v1/*` proxies to the edge.
import postgres from "postgres";
import { CORS_HEADERS, preflight, withCors } from "./cors.ts";
import { proxyToFunctions } from "./functions-proxy.ts";
import { AuthRoutes } from "./gotrue/routes.ts";
import { ensureAuthSchema } from "./gotrue/schema.ts";
import { type JwtClaims, JwtInvalid, mintApiKey, verifyJwt } from "./jwt.ts";
import { FunctionCatalog } from "./postgrest/catalog.ts";
import { errorResponse } from "./postgrest/errors.ts";
import { RpcHandler } from "./postgrest/rpc.ts";

export { mintApiKey, signJwt, verifyJwt } from "./jwt.ts";
export type { JwtClaims } from "./jwt.ts";

export interface GatewayOptions {
  /** Superuser (or authenticator-capable) connection string; roles are switched per request. */
  dbUrl: string;
  /** HS256 secret for API keys and access tokens (Supabase's legacy JWT secret). */
  jwtSecret: string;
  /** Base URL of the edge server; `/functions/v1/sync/x` is forwarded to `<upstream>/sync/x`. */
  functionsUpstream: string;
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
  anonKey: string;
  serviceRoleKey: string;
  stop(): Promise<void>;
}

const ANON_CLAIMS: JwtClaims = { role: "anon" };

/** The caller's claims from `Authorization: Bearer`, else an `apikey` JWT, else anon. */
function claimsOf(request: Request, secret: string): { claims: JwtClaims; json: string } {
  const auth = /^Bearer\s+(.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  const apikey = request.headers.get("apikey");
  const token = auth ?? (apikey && apikey.split(".").length === 3 ? apikey : undefined);
  if (!token) return { claims: ANON_CLAIMS, json: JSON.stringify(ANON_CLAIMS) };
  const claims = verifyJwt(token, secret);
  return { claims, json: JSON.stringify(claims) };
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const sql = postgres(options.dbUrl, {
    max: options.poolSize ?? 20,
    onnotice: () => {},
    // jsonb columns come back parsed; everything the RPC path returns is already text.
    connection: { application_name: "puente-gateway" },
  });
  await ensureAuthSchema(sql);
  const hostname = options.hostname ?? "127.0.0.1";
  const catalog = new FunctionCatalog(sql);
  const rpc = new RpcHandler(sql, catalog);
  const auth = new AuthRoutes(sql, options.jwtSecret);

  const server = Bun.serve({
    hostname,
    port: options.port ?? 0,
    idleTimeout: 255,
    maxRequestBodySize: 512 * 1024 * 1024,
    fetch: async (request) => {
      if (request.method === "OPTIONS") return preflight();
      const path = new URL(request.url).pathname;
      try {
        return withCors(await route(request, path));
      } catch (error) {
        console.error(`[gateway] ${request.method} ${path} failed:`, error);
        return withCors(Response.json(
          { code: "gateway_error", message: String(error) },
          { status: 502, headers: CORS_HEADERS },
        ));
      }
    },
  });
  const url = `http://${hostname}:${server.port}`;

  async function route(request: Request, path: string): Promise<Response> {
    const rpcMatch = /^\/rest\/v1\/rpc\/([^/]+)$/.exec(path);
    if (rpcMatch && (request.method === "POST" || request.method === "GET")) {
      let caller: { claims: JwtClaims; json: string };
      try {
        caller = claimsOf(request, options.jwtSecret);
      } catch (error) {
        return errorResponse(401, {
          code: "PGRST301",
          message: error instanceof JwtInvalid ? error.message : String(error),
          details: null,
          hint: null,
        });
      }
      return await rpc.handle({
        request,
        functionName: decodeURIComponent(rpcMatch[1]!),
        claims: caller.claims,
        claimsJson: caller.json,
      });
    }
    if (path.startsWith("/auth/v1/")) {
      return await auth.handle(request, path.slice("/auth/v1".length));
    }
    // The mail catcher (Mailpit's API), as `supabase start` serves it on its own port.
    if (path.startsWith("/__mail/")) return auth.mail.handle(request, path.slice("/__mail".length));
    if (/^\/functions\/v1\/[^/]+/.test(path)) {
      return await proxyToFunctions(
        request,
        options.functionsUpstream,
        path.slice("/functions/v1".length),
      );
    }
    return Response.json(
      { code: "not_found", message: `no route ${request.method} ${path}` },
      { status: 404 },
    );
  }

  return {
    url,
    port: server.port!,
    anonKey: mintApiKey("anon", options.jwtSecret),
    serviceRoleKey: mintApiKey("service_role", options.jwtSecret),
    async stop() {
      await server.stop(true);
      await sql.end({ timeout: 5 });
    },
  };
}
