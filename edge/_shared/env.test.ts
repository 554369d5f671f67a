import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { EnvInvalid, loadEnv } from "./env.ts";

const base = {
  SUPABASE_URL: "http://127.0.0.1:54321/",
  SUPABASE_ANON_KEY: "anon",
  SUPABASE_SERVICE_ROLE_KEY: "service",
  PUENTE_JWT_SECRET: "secret",
  PUSHER_APP_ID: "1",
  PUSHER_KEY: "key",
  PUSHER_SECRET: "psecret",
  PUSHER_HOST: "127.0.0.1",
  PUSHER_PORT: "6001",
};

Deno.test("a complete devstack environment loads", () => {
  const env = loadEnv(base);
  assertEquals(env.supabaseUrl, "http://127.0.0.1:54321");
  assertEquals(env.jwt, {
    jwksUrl: "http://127.0.0.1:54321/auth/v1/.well-known/jwks.json",
    legacySecret: "secret",
  });
  assertEquals(env.pusher, {
    appId: "1",
    key: "key",
    secret: "psecret",
    host: "127.0.0.1",
    port: 6001,
    useTLS: false,
  });
  assertEquals(env.webOrigins, ["*"]);
  assertEquals(env.maxBodyBytes, 16 * 1024 * 1024);
});

Deno.test("a missing variable is named", () => {
  const { PUSHER_SECRET: _, ...rest } = base;
  throws(() => loadEnv(rest), new EnvInvalid("missing environment variable PUSHER_SECRET"));
  throws(() => loadEnv({ ...base, SUPABASE_JWKS: '{"nokeys":1}' }), {
    name: "EnvInvalid",
    message: /SUPABASE_JWKS must be a JWKS/,
  });
  throws(() => loadEnv({ ...base, SUPABASE_URL: "not a url" }), {
    name: "EnvInvalid",
    message: /SUPABASE_URL is invalid/,
  });
});

Deno.test("production shapes: JWKS, key dictionaries and a Pusher cluster", () => {
  const env = loadEnv({
    SUPABASE_URL: "https://xyz.supabase.co",
    SUPABASE_PUBLISHABLE_KEYS: '{"default":"sb_publishable_1"}',
    SUPABASE_SECRET_KEYS: '{"default":"sb_secret_1"}',
    SUPABASE_JWKS: '{"keys":[]}',
    PUSHER_APP_ID: "1",
    PUSHER_KEY: "k",
    PUSHER_SECRET: "s",
    PUSHER_CLUSTER: "us2",
    PUENTE_WEB_ORIGIN: "https://a.example, https://b.example",
  });
  assertEquals(env.anonKey, "sb_publishable_1");
  assertEquals(env.serviceRoleKey, "sb_secret_1");
  assertEquals(env.jwt, { jwks: '{"keys":[]}' });
  assertEquals(env.webOrigins, ["https://a.example", "https://b.example"]);
});

Deno.test("without a legacy secret only the project's JWKS, fetched where GoTrue publishes it", () => {
  const { PUENTE_JWT_SECRET: _, ...asymmetricOnly } = base;
  assertEquals(loadEnv(asymmetricOnly).jwt, {
    jwksUrl: "http://127.0.0.1:54321/auth/v1/.well-known/jwks.json",
  });
});

Deno.test("PUENTE_PORTAL_ACCOUNTS: none by default, invite on request, id_number refused, anything else named", () => {
  assertEquals(loadEnv(base).portalAccounts, "none");
  assertEquals(loadEnv({ ...base, PUENTE_PORTAL_ACCOUNTS: "invite" }).portalAccounts, "invite");
  throws(() => loadEnv({ ...base, PUENTE_PORTAL_ACCOUNTS: "id_number" }), {
    name: "EnvInvalid",
    message: /id_number is no longer offered .*use invite/,
  });
  throws(() => loadEnv({ ...base, PUENTE_PORTAL_ACCOUNTS: "email" }), {
    name: "EnvInvalid",
    message: /PUENTE_PORTAL_ACCOUNTS is invalid: must be none or invite/,
  });
});
