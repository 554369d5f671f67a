// The project's JWT keys, as a current Supabase project has them: user tokens signed ES256 with a `kid`
// whose public half is published as a JWKS, the legacy HS256 secret still accepted for verification
// (until a project revokes it), and API keys: `sb_publishable_…` / `sb_secret_…`, or in the legacy
// mode the long-lived anon / service_role HS256 JWTs. devstack/README.md says what is copied from where.
import {
  createHmac,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomUUID,
  sign,
  timingSafeEqual,
  verify,
} from "node:crypto";

export type JwtClaims = Record<string, unknown> & { role?: string; exp?: number; sub?: string };

export class JwtInvalid extends Error {
  override name = "JwtInvalid";
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");
const HEADER = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));

/** HS256 with the legacy JWT secret. */
export function signJwt(claims: JwtClaims, secret: string): string {
  const body = `${HEADER}.${base64url(JSON.stringify(claims))}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}

interface DecodedJwt {
  header: Record<string, unknown>;
  claims: JwtClaims;
  signingInput: string;
  signature: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function decode(token: string): DecodedJwt {
  const parts = token.split(".");
  if (parts.length !== 3) throw new JwtInvalid(`Expected 3 parts in JWT; got ${parts.length}`);
  const [header, payload, signature] = parts as [string, string, string];
  if (![header, payload, signature].every((p) => BASE64URL.test(p))) {
    throw new JwtInvalid("JWT is not valid base64url");
  }
  let parsedHeader: unknown;
  let claims: unknown;
  try {
    parsedHeader = JSON.parse(Buffer.from(header, "base64url").toString());
    claims = JSON.parse(Buffer.from(payload, "base64url").toString());
  } catch {
    throw new JwtInvalid("JWT is not valid base64url JSON");
  }
  const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(parsedHeader) || !isObject(claims)) {
    throw new JwtInvalid("JWT header and claims must be objects");
  }
  return {
    header: parsedHeader as Record<string, unknown>,
    claims: claims as JwtClaims,
    signingInput: `${header}.${payload}`,
    signature: Buffer.from(signature, "base64url"),
  };
}

function checkTimes(claims: JwtClaims, nowS: number): JwtClaims {
  if (claims.exp !== undefined && typeof claims.exp !== "number") {
    throw new JwtInvalid("The JWT 'exp' claim must be a number");
  }
  if (typeof claims.exp === "number" && claims.exp <= nowS) throw new JwtInvalid("JWT expired");
  return claims;
}

function hs256Matches(decoded: DecodedJwt, secret: string): boolean {
  const expected = createHmac("sha256", secret).update(decoded.signingInput).digest();
  return decoded.signature.length === expected.length &&
    timingSafeEqual(decoded.signature, expected);
}

/** HS256 only: verifies signature, algorithm and expiry; returns the claims or throws JwtInvalid. */
export function verifyJwt(token: string, secret: string, nowS = Date.now() / 1000): JwtClaims {
  const decoded = decode(token);
  if (decoded.header.alg !== "HS256") {
    throw new JwtInvalid(`JWT algorithm ${String(decoded.header.alg)} is not HS256`);
  }
  if (!hs256Matches(decoded, secret)) throw new JwtInvalid("JWT signature does not match");
  return checkTimes(decoded.claims, nowS);
}

const TEN_YEARS_S = 10 * 365 * 24 * 3600;

/** A legacy API key: a long-lived HS256 JWT carrying only a role. */
export function mintApiKey(role: "anon" | "service_role", secret: string): string {
  const iat = Math.floor(Date.now() / 1000);
  return signJwt({ iss: "supabase-devstack", role, iat, exp: iat + TEN_YEARS_S }, secret);
}

/** `es256`: a current project (asymmetric signing key, new API keys); `hs256`: the legacy secret only. */
export type JwtMode = "es256" | "hs256";

export interface Jwks {
  keys: Record<string, unknown>[];
}

/** The roles Supabase's gateway gives its API keys: publishable → anon, secret → service_role. */
export type ApiKeyRole = "anon" | "service_role";

export class ProjectKeys {
  readonly #signing: { kid: string; privateKey: KeyObject; publicKey: KeyObject } | null;
  /** The key callers put in `apikey` for anon access (publishable or legacy anon JWT). */
  readonly anonKey: string;
  /** The key for service-role access (secret or legacy service_role JWT). */
  readonly serviceRoleKey: string;
  /** The legacy JWT API keys, which stay valid beside the new ones until a project disables them. */
  readonly legacyAnonKey: string;
  readonly legacyServiceRoleKey: string;

  constructor(readonly mode: JwtMode, readonly legacySecret: string) {
    this.legacyAnonKey = mintApiKey("anon", legacySecret);
    this.legacyServiceRoleKey = mintApiKey("service_role", legacySecret);
    if (mode === "es256") {
      const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      this.#signing = { kid: randomUUID(), privateKey, publicKey };
      this.anonKey = `sb_publishable_${randomBytes(24).toString("base64url")}`;
      this.serviceRoleKey = `sb_secret_${randomBytes(24).toString("base64url")}`;
    } else {
      this.#signing = null;
      this.anonKey = this.legacyAnonKey;
      this.serviceRoleKey = this.legacyServiceRoleKey;
    }
  }

  /** `kid` of the current signing key (es256), or undefined in the legacy mode. */
  get kid(): string | undefined {
    return this.#signing?.kid;
  }

  /** Signs as GoTrue does with the project's current key: ES256 with `kid`, or legacy HS256. */
  sign(claims: JwtClaims): string {
    if (!this.#signing) return signJwt(claims, this.legacySecret);
    const header = base64url(JSON.stringify({ alg: "ES256", kid: this.#signing.kid, typ: "JWT" }));
    const body = `${header}.${base64url(JSON.stringify(claims))}`;
    const signature = sign("sha256", Buffer.from(body), {
      key: this.#signing.privateKey,
      dsaEncoding: "ieee-p1363",
    });
    return `${body}.${signature.toString("base64url")}`;
  }

  /** What `/auth/v1/.well-known/jwks.json` serves: public asymmetric keys only, never the secret. */
  jwks(): Jwks {
    if (!this.#signing) return { keys: [] };
    const jwk = this.#signing.publicKey.export({ format: "jwk" });
    return {
      keys: [{
        ...jwk,
        alg: "ES256",
        kid: this.#signing.kid,
        use: "sig",
        key_ops: ["verify"],
        ext: true,
      }],
    };
  }

  /** Accepts the current ES256 key (by `kid`) and the legacy HS256 secret; anything else is JwtInvalid. */
  verify(token: string, nowS = Date.now() / 1000): JwtClaims {
    const decoded = decode(token);
    const alg = decoded.header.alg;
    if (alg === "HS256") {
      if (!hs256Matches(decoded, this.legacySecret)) {
        throw new JwtInvalid("JWT signature does not match");
      }
      return checkTimes(decoded.claims, nowS);
    }
    if (alg !== "ES256" || !this.#signing) {
      throw new JwtInvalid(`JWT algorithm ${String(alg)} is not accepted`);
    }
    if (decoded.header.kid !== this.#signing.kid) {
      throw new JwtInvalid(`No signing key with kid ${String(decoded.header.kid)}`);
    }
    const valid = decoded.signature.length === 64 &&
      verify("sha256", Buffer.from(decoded.signingInput), {
        key: this.#signing.publicKey,
        dsaEncoding: "ieee-p1363",
      }, decoded.signature);
    if (!valid) throw new JwtInvalid("JWT signature does not match");
    return checkTimes(decoded.claims, nowS);
  }

  /** The role an API key stands for, or null when it is not one of this project's keys. */
  apiKeyRole(key: string): ApiKeyRole | null {
    for (
      const [known, role] of [
        [this.anonKey, "anon"],
        [this.serviceRoleKey, "service_role"],
        [this.legacyAnonKey, "anon"],
        [this.legacyServiceRoleKey, "service_role"],
      ] as const
    ) {
      if (safeEqual(key, known)) return role;
    }
    return null;
  }

  /** A short-lived token for an API key's role, what the gateway hands upstream in place of the key. */
  roleToken(role: ApiKeyRole): string {
    const iat = Math.floor(Date.now() / 1000);
    return this.sign({ iss: "supabase", role, iat, exp: iat + 60 });
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
