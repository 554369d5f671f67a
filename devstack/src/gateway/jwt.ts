// HS256 JSON Web Tokens for the gateway: minting the anon/service keys and access tokens, and verifying bearers.
import { createHmac, timingSafeEqual } from "node:crypto";

export type JwtClaims = Record<string, unknown> & { role?: string; exp?: number; sub?: string };

export class JwtInvalid extends Error {
  override name = "JwtInvalid";
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");
const HEADER = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));

export function signJwt(claims: JwtClaims, secret: string): string {
  const body = `${HEADER}.${base64url(JSON.stringify(claims))}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}

/** Verifies signature, algorithm and expiry; returns the claims or throws JwtInvalid saying why. */
export function verifyJwt(token: string, secret: string, nowS = Date.now() / 1000): JwtClaims {
  const parts = token.split(".");
  if (parts.length !== 3) throw new JwtInvalid("JWT must have three parts");
  const [header, payload, signature] = parts as [string, string, string];
  let alg: unknown;
  let claims: unknown;
  try {
    alg = JSON.parse(Buffer.from(header, "base64url").toString()).alg;
    claims = JSON.parse(Buffer.from(payload, "base64url").toString());
  } catch {
    throw new JwtInvalid("JWT is not valid base64url JSON");
  }
  if (alg !== "HS256") throw new JwtInvalid(`JWT algorithm ${String(alg)} is not HS256`);
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new JwtInvalid("JWT signature does not match");
  }
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) {
    throw new JwtInvalid("JWT claims must be an object");
  }
  const typed = claims as JwtClaims;
  if (typeof typed.exp === "number" && typed.exp <= nowS) throw new JwtInvalid("JWT expired");
  return typed;
}

const TEN_YEARS_S = 10 * 365 * 24 * 3600;

/** An API key as Supabase issues them: a long-lived HS256 JWT carrying only a role. */
export function mintApiKey(role: "anon" | "service_role", secret: string): string {
  const iat = Math.floor(Date.now() / 1000);
  return signJwt({ iss: "supabase-devstack", role, iat, exp: iat + TEN_YEARS_S }, secret);
}
