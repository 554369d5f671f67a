// The edge function's configuration: read once at start from the environment and validated with zod, so
// a missing or malformed variable stops the function with a message naming it.
import { z } from "zod";
import { DEFAULT_MAX_BATCH_BYTES } from "./body-limits.ts";

export class EnvInvalid extends Error {
  override name = "EnvInvalid";
}

const optional = z.string().trim().min(1).optional();

/**
 * PUENTE_PORTAL_ACCOUNTS: whether new Wispro customers are invited to a portal account by email.
 * (`id_number`, a first password made of the id number's digits, was removed: it was guessable.)
 */
export const PORTAL_ACCOUNT_POLICIES = ["none", "invite"] as const;
export type PortalAccountsPolicy = (typeof PORTAL_ACCOUNT_POLICIES)[number];

const RawEnv = z.object({
  SUPABASE_URL: z.url({
    error: "SUPABASE_URL must be the project URL, e.g. https://xyz.supabase.co",
  }),
  SUPABASE_ANON_KEY: optional,
  SUPABASE_PUBLISHABLE_KEYS: optional,
  SUPABASE_SERVICE_ROLE_KEY: optional,
  SUPABASE_SECRET_KEYS: optional,
  PUENTE_JWT_SECRET: optional,
  SUPABASE_JWT_SECRET: optional,
  SUPABASE_JWKS: optional,
  PUENTE_JWKS_URL: z.url().optional(),
  PUSHER_APP_ID: z.string({ error: "PUSHER_APP_ID is required" }).min(1),
  PUSHER_KEY: z.string({ error: "PUSHER_KEY is required" }).min(1),
  PUSHER_SECRET: z.string({ error: "PUSHER_SECRET is required" }).min(1),
  PUSHER_CLUSTER: optional,
  PUSHER_HOST: optional,
  PUSHER_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  PUSHER_USE_TLS: z.enum(["true", "false", "1", "0"]).optional(),
  PUENTE_WEB_ORIGIN: z.string().default("*"),
  /** The batches route's limit after decompression; every other route has its own (body-limits.ts). */
  PUENTE_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(DEFAULT_MAX_BATCH_BYTES),
  PUENTE_PORTAL_ACCOUNTS: z.enum(PORTAL_ACCOUNT_POLICIES, {
    error: (issue) =>
      issue.input === "id_number"
        ? "id_number is no longer offered (a password made of the id number is guessable): use invite, which emails each customer a link to set their own password"
        : "must be none or invite",
  }).default("none"),
});

/**
 * How user JWTs are verified: asymmetric tokens against the project's JWKS (inline SUPABASE_JWKS, or
 * fetched from PUENTE_JWKS_URL, by default `<SUPABASE_URL>/auth/v1/.well-known/jwks.json` where GoTrue
 * publishes it), and HS256 tokens against the legacy secret only when one is configured.
 */
export interface JwtVerification {
  jwks?: string;
  jwksUrl?: string;
  legacySecret?: string;
}

export type PusherConfig =
  & { appId: string; key: string; secret: string }
  & ({ cluster: string } | { host: string; port?: number; useTLS: boolean });

export interface EdgeEnv {
  supabaseUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  jwt: JwtVerification;
  pusher: PusherConfig;
  /** Allowed browser origins; `["*"]` allows any. */
  webOrigins: string[];
  maxBodyBytes: number;
  /** PUENTE_PORTAL_ACCOUNTS: `invite` emails each new Wispro customer with an email a portal invite. */
  portalAccounts: PortalAccountsPolicy;
}

/** The first value of a Supabase key dictionary such as `{"default":"sb_secret_..."}`. */
function firstKey(dictionary: string | undefined, name: string): string | undefined {
  if (!dictionary) return undefined;
  try {
    const values = Object.values(JSON.parse(dictionary) as Record<string, unknown>);
    return values.find((v): v is string => typeof v === "string" && v.length > 0);
  } catch {
    throw new EnvInvalid(`${name} must be a JSON object of keys`);
  }
}

export function loadEnv(source: Record<string, string | undefined>): EdgeEnv {
  const parsed = RawEnv.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = issue.path.map(String).join(".");
    throw new EnvInvalid(
      source[variable] === undefined
        ? `missing environment variable ${variable}`
        : `environment variable ${variable} is invalid: ${issue.message}`,
    );
  }
  const raw = parsed.data;
  const anonKey = raw.SUPABASE_ANON_KEY ??
    firstKey(raw.SUPABASE_PUBLISHABLE_KEYS, "SUPABASE_PUBLISHABLE_KEYS");
  if (!anonKey) throw new EnvInvalid("missing environment variable SUPABASE_ANON_KEY");
  const serviceRoleKey = raw.SUPABASE_SERVICE_ROLE_KEY ??
    firstKey(raw.SUPABASE_SECRET_KEYS, "SUPABASE_SECRET_KEYS");
  if (!serviceRoleKey) {
    throw new EnvInvalid("missing environment variable SUPABASE_SERVICE_ROLE_KEY");
  }
  const supabaseUrl = raw.SUPABASE_URL.replace(/\/$/, "");
  if (raw.SUPABASE_JWKS) {
    try {
      if (!Array.isArray(JSON.parse(raw.SUPABASE_JWKS).keys)) throw new Error("no keys array");
    } catch {
      throw new EnvInvalid('SUPABASE_JWKS must be a JWKS: {"keys":[...]}');
    }
  }
  const jwt: JwtVerification = {
    ...(raw.SUPABASE_JWKS
      ? { jwks: raw.SUPABASE_JWKS }
      : { jwksUrl: raw.PUENTE_JWKS_URL ?? `${supabaseUrl}/auth/v1/.well-known/jwks.json` }),
    ...((raw.PUENTE_JWT_SECRET ?? raw.SUPABASE_JWT_SECRET)
      ? { legacySecret: raw.PUENTE_JWT_SECRET ?? raw.SUPABASE_JWT_SECRET }
      : {}),
  };
  const credentials = { appId: raw.PUSHER_APP_ID, key: raw.PUSHER_KEY, secret: raw.PUSHER_SECRET };
  let pusher: PusherConfig;
  if (raw.PUSHER_HOST) {
    pusher = {
      ...credentials,
      host: raw.PUSHER_HOST,
      port: raw.PUSHER_PORT,
      useTLS: raw.PUSHER_USE_TLS === "true" || raw.PUSHER_USE_TLS === "1",
    };
  } else if (raw.PUSHER_CLUSTER) {
    pusher = { ...credentials, cluster: raw.PUSHER_CLUSTER };
  } else {
    throw new EnvInvalid(
      "missing environment variable PUSHER_CLUSTER (hosted Pusher) or PUSHER_HOST (self-hosted)",
    );
  }
  return {
    supabaseUrl,
    anonKey,
    serviceRoleKey,
    jwt,
    pusher,
    webOrigins: raw.PUENTE_WEB_ORIGIN.split(",").map((o) => o.trim()).filter(Boolean),
    maxBodyBytes: raw.PUENTE_MAX_BODY_BYTES,
    portalAccounts: raw.PUENTE_PORTAL_ACCOUNTS,
  };
}
