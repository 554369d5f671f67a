// Who is calling: a web user (JWT verified in code: HS256 with the local secret, or the project's JWKS
// with RS256/ES256) or an office agent (opaque key, checked by the database through authenticate_agent).
import { ApiError } from "./errors.ts";
import type { JwtVerification } from "./env.ts";

export type UserRole = "admin" | "staff";

export interface User {
  id: string;
  email: string | null;
  /** From `app_metadata.role`; null means a signed-in person with no Puente role. */
  role: UserRole | null;
  /** The raw JWT, forwarded to the database so RLS sees the same person. */
  jwt: string;
}

export type JwtClaims = Record<string, unknown>;
export type JwtVerifier = (token: string) => Promise<JwtClaims>;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function base64urlDecode(part: string): Uint8Array<ArrayBuffer> {
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(
    Math.ceil(part.length / 4) * 4,
    "=",
  );
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const unauthorized = (why: string) =>
  new ApiError(401, "unauthorized", `invalid session token: ${why}; sign in again`);

interface Jwk extends JsonWebKey {
  kid?: string;
}

const ALGORITHMS: Record<
  string,
  { import: RsaHashedImportParams | EcKeyImportParams; verify: AlgorithmIdentifier | EcdsaParams }
> = {
  RS256: {
    import: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    verify: { name: "RSASSA-PKCS1-v1_5" },
  },
  ES256: {
    import: { name: "ECDSA", namedCurve: "P-256" },
    verify: { name: "ECDSA", hash: "SHA-256" },
  },
};

/** Builds the verifier for the configured method; JWKS from a URL is cached for ten minutes. */
export function createJwtVerifier(
  config: JwtVerification,
  fetchJwks: (url: string) => Promise<{ keys: Jwk[] }> = async (url) =>
    await (await fetch(url)).json(),
): JwtVerifier {
  if (config.kind === "hs256") {
    const key = crypto.subtle.importKey(
      "raw",
      encoder.encode(config.secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    return async (token) =>
      await verifyWith(token, async (alg, data, signature) => {
        if (alg !== "HS256") throw unauthorized(`algorithm ${alg} is not accepted`);
        return await crypto.subtle.verify("HMAC", await key, signature, data);
      });
  }
  const inline = config.jwks ? (JSON.parse(config.jwks) as { keys: Jwk[] }).keys : undefined;
  let cached: { keys: Jwk[]; at: number } | undefined;
  const keys = async (): Promise<Jwk[]> => {
    if (inline) return inline;
    if (!cached || Date.now() - cached.at > 600_000) {
      cached = { keys: (await fetchJwks(config.jwksUrl!)).keys, at: Date.now() };
    }
    return cached.keys;
  };
  return async (token) =>
    await verifyWith(token, async (alg, data, signature, kid) => {
      const algorithm = ALGORITHMS[alg];
      if (!algorithm) throw unauthorized(`algorithm ${alg} is not accepted`);
      const jwk = (await keys()).find((k) =>
        (kid === undefined || k.kid === kid) && (k.alg === undefined || k.alg === alg)
      );
      if (!jwk) throw unauthorized(`no signing key ${kid ?? ""} in the project's JWKS`);
      const key = await crypto.subtle.importKey("jwk", jwk, algorithm.import, false, ["verify"]);
      return await crypto.subtle.verify(algorithm.verify, key, signature, data);
    });
}

async function verifyWith(
  token: string,
  check: (
    alg: string,
    data: Uint8Array<ArrayBuffer>,
    signature: Uint8Array<ArrayBuffer>,
    kid?: string,
  ) => Promise<boolean>,
): Promise<JwtClaims> {
  const parts = token.split(".");
  if (parts.length !== 3) throw unauthorized("not a JWT");
  const [header, payload, signature] = parts as [string, string, string];
  let alg: string;
  let kid: string | undefined;
  let claims: JwtClaims;
  try {
    const h = JSON.parse(decoder.decode(base64urlDecode(header)));
    alg = String(h.alg);
    kid = typeof h.kid === "string" ? h.kid : undefined;
    claims = JSON.parse(decoder.decode(base64urlDecode(payload)));
  } catch {
    throw unauthorized("malformed JWT");
  }
  if (
    !(await check(alg, encoder.encode(`${header}.${payload}`), base64urlDecode(signature), kid))
  ) {
    throw unauthorized("signature does not match");
  }
  const now = Date.now() / 1000;
  if (typeof claims.exp !== "number" || claims.exp <= now) throw unauthorized("expired");
  if (typeof claims.nbf === "number" && claims.nbf > now + 30) throw unauthorized("not valid yet");
  return claims;
}

/** A signed-in person from `Authorization: Bearer <jwt>`; anonymous and service keys are not people. */
export async function authenticateUser(request: Request, verify: JwtVerifier): Promise<User> {
  const token = bearerToken(request);
  if (!token) {
    throw new ApiError(401, "unauthorized", "sign in first (Authorization: Bearer <access token>)");
  }
  const claims = await verify(token);
  if (claims.role !== "authenticated" || typeof claims.sub !== "string") {
    throw new ApiError(
      401,
      "unauthorized",
      "this token is not a signed-in user's session; sign in again",
    );
  }
  const appMetadata = (claims.app_metadata ?? {}) as Record<string, unknown>;
  const role = appMetadata.role === "admin" || appMetadata.role === "staff"
    ? appMetadata.role
    : null;
  return {
    id: claims.sub,
    email: typeof claims.email === "string" ? claims.email : null,
    role,
    jwt: token,
  };
}

export function bearerToken(request: Request): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
}

/** The agent key from `x-agent-key`, or from `Authorization: Bearer` when that is not a JWT. */
export function agentKeyOf(request: Request): string | undefined {
  const header = request.headers.get("x-agent-key")?.trim();
  if (header) return header;
  const bearer = bearerToken(request);
  return bearer && !looksLikeJwt(bearer) ? bearer : undefined;
}

export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token) && token.startsWith("ey");
}
