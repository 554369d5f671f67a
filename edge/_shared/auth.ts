// Who is calling: a web user (JWT verified in code: ES256/RS256 against the project's JWKS, HS256 against
// the legacy secret when configured) or an office agent (opaque key, checked by the database through
// authenticate_agent).
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

const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Only ever called on text that matched BASE64URL, so atob cannot meet a foreign character. */
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

/** A JWKS fetched again at most this often when a token names a `kid` it does not hold (rotation). */
const JWKS_REFRESH_MS = 30_000;
const JWKS_MAX_AGE_MS = 600_000;

/**
 * Builds the verifier: asymmetric tokens (ES256, RS256) against the project's JWKS, HS256 tokens against
 * the legacy secret when one is configured. Whatever the shape of the token, a bad one is a 401.
 */
export function createJwtVerifier(
  config: JwtVerification,
  fetchJwks: (url: string) => Promise<{ keys: Jwk[] }> = async (url) => {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    return await response.json();
  },
): JwtVerifier {
  const hmac = config.legacySecret
    ? crypto.subtle.importKey(
      "raw",
      encoder.encode(config.legacySecret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    )
    : null;
  const inline = config.jwks ? (JSON.parse(config.jwks) as { keys: Jwk[] }).keys : undefined;
  let cached: { keys: Jwk[]; at: number } | undefined;
  const keys = async (kid: string | undefined): Promise<Jwk[]> => {
    if (inline) return inline;
    if (!config.jwksUrl) return [];
    const age = cached ? Date.now() - cached.at : Infinity;
    const missing = cached !== undefined && kid !== undefined &&
      !cached.keys.some((k) => k.kid === kid);
    if (age > JWKS_MAX_AGE_MS || (missing && age > JWKS_REFRESH_MS)) {
      try {
        const fetched = await fetchJwks(config.jwksUrl!);
        cached = { keys: Array.isArray(fetched?.keys) ? fetched.keys : [], at: Date.now() };
      } catch (error) {
        if (!cached) {
          throw new ApiError(
            502,
            "internal",
            `the project's signing keys could not be fetched (${String(error)}); try again`,
          );
        }
      }
    }
    return cached?.keys ?? [];
  };
  return async (token) =>
    await verifyWith(token, async (alg, data, signature, kid) => {
      if (alg === "HS256") {
        if (!hmac) throw unauthorized("algorithm HS256 is not accepted");
        return await crypto.subtle.verify("HMAC", await hmac, signature, data);
      }
      const algorithm = ALGORITHMS[alg];
      if (!algorithm) throw unauthorized(`algorithm ${alg} is not accepted`);
      const jwk = (await keys(kid)).find((k) =>
        (kid === undefined || k.kid === kid) && (k.alg === undefined || k.alg === alg)
      );
      if (!jwk) throw unauthorized(`no signing key ${kid ?? ""} in the project's JWKS`);
      try {
        const key = await crypto.subtle.importKey("jwk", jwk, algorithm.import, false, ["verify"]);
        return await crypto.subtle.verify(algorithm.verify, key, signature, data);
      } catch {
        // A signature of the wrong length, or a key of another type than the header claims.
        return false;
      }
    });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Any shape of token: truncated, bad base64, bad JSON, wrong alg, unknown kid — a 401, never a 500. */
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
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) {
    throw unauthorized("not a JWT");
  }
  const [header, payload, signature] = parts as [string, string, string];
  let h: unknown;
  let claims: unknown;
  try {
    h = JSON.parse(decoder.decode(base64urlDecode(header)));
    claims = JSON.parse(decoder.decode(base64urlDecode(payload)));
  } catch {
    throw unauthorized("malformed JWT");
  }
  if (!isObject(h) || !isObject(claims) || typeof h.alg !== "string") {
    throw unauthorized("malformed JWT");
  }
  const kid = typeof h.kid === "string" ? h.kid : undefined;
  let signatureBytes: Uint8Array<ArrayBuffer>;
  try {
    signatureBytes = base64urlDecode(signature);
  } catch {
    throw unauthorized("malformed JWT");
  }
  if (!(await check(h.alg, encoder.encode(`${header}.${payload}`), signatureBytes, kid))) {
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
