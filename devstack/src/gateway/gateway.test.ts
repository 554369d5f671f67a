// The gateway driven by the official supabase-js client, against a real throwaway Postgres.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { type Gateway, signJwt, startGateway } from "./index.ts";
import {
  type GatewayTestDatabase,
  startGatewayTestDatabase,
  TEST_EXPOSED_SCHEMAS,
} from "./test-database.ts";

const JWT_SECRET = "test-secret-with-at-least-32-characters!!";
let db: GatewayTestDatabase;
let gateway: Gateway;
let upstream: ReturnType<typeof Bun.serve>;

const clientOptions = { auth: { persistSession: false, autoRefreshToken: false } };
const anonClient = () => createClient(gateway.url, gateway.anonKey, clientOptions);
const serviceClient = () => createClient(gateway.url, gateway.serviceRoleKey, clientOptions);

beforeAll(async () => {
  db = await startGatewayTestDatabase();
  upstream = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === "/tiny/teapot") {
        return new Response("short and stout", {
          status: 418,
          headers: { "Content-Type": "text/plain" },
        });
      }
      return Response.json({
        method: request.method,
        path: url.pathname,
        search: url.search,
        authorization: request.headers.get("authorization"),
        body: await request.text(),
      }, { status: 201 });
    },
  });
  gateway = await startGateway({
    dbUrl: db.cluster.url,
    jwtSecret: JWT_SECRET,
    functionsUpstream: `http://127.0.0.1:${upstream.port}`,
    exposedSchemas: TEST_EXPOSED_SCHEMAS,
  });
  const admin = serviceClient();
  const { error } = await admin.auth.admin.createUser({
    email: "staff@example.com",
    password: "correct horse",
    email_confirm: true,
    app_metadata: { role: "staff" },
  });
  if (error) throw error;
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  upstream?.stop(true);
  await db?.stop();
});

async function signedIn(): Promise<SupabaseClient> {
  const client = anonClient();
  const { error } = await client.auth.signInWithPassword({
    email: "staff@example.com",
    password: "correct horse",
  });
  if (error) throw error;
  return client;
}

describe("auth", () => {
  test("signInWithPassword with good credentials returns a GoTrue session", async () => {
    const client = anonClient();
    const { data, error } = await client.auth.signInWithPassword({
      email: "STAFF@example.com",
      password: "correct horse",
    });
    expect(error).toBeNull();
    expect(data.session?.expires_in).toBe(3600);
    expect(data.user?.email).toBe("staff@example.com");
    expect(data.user?.app_metadata).toMatchObject({ role: "staff", provider: "email" });
    const claims = JSON.parse(
      atob(data.session!.access_token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")),
    );
    expect(claims).toMatchObject({
      aud: "authenticated",
      role: "authenticated",
      sub: data.user!.id,
      email: "staff@example.com",
      app_metadata: { role: "staff" },
      aal: "aal1",
      is_anonymous: false,
    });
    expect(typeof claims.session_id).toBe("string");
    expect(claims.exp - claims.iat).toBe(3600);
  });

  test("bad credentials are 400 invalid_credentials", async () => {
    const { data, error } = await anonClient().auth.signInWithPassword({
      email: "staff@example.com",
      password: "wrong",
    });
    expect(data.session).toBeNull();
    expect(error?.status).toBe(400);
    expect(error?.code).toBe("invalid_credentials");
    expect(error?.message).toBe("Invalid login credentials");
  });

  test("getUser, refreshSession rotation and signOut", async () => {
    const client = await signedIn();
    const user = await client.auth.getUser();
    expect(user.error).toBeNull();
    expect(user.data.user?.email).toBe("staff@example.com");

    const before = (await client.auth.getSession()).data.session!;
    const refreshed = await client.auth.refreshSession();
    expect(refreshed.error).toBeNull();
    expect(refreshed.data.session?.refresh_token).not.toBe(before.refresh_token);

    const reuse = await anonClient().auth.refreshSession({ refresh_token: before.refresh_token });
    expect(reuse.error?.code).toBe("refresh_token_already_used");

    const token = refreshed.data.session!.access_token;
    expect((await client.auth.signOut()).error).toBeNull();
    const after = await anonClient().auth.getUser(token);
    expect(after.data.user).toBeNull();
    expect(after.error?.name).toBe("AuthSessionMissingError");
  });

  test("admin createUser: duplicate is 422 email_exists, anon key is 403 not_admin", async () => {
    const duplicate = await serviceClient().auth.admin.createUser({
      email: "staff@example.com",
      password: "x",
    });
    expect(duplicate.error?.status).toBe(422);
    expect(duplicate.error?.code).toBe("email_exists");
    const notAdmin = await anonClient().auth.admin.createUser({
      email: "x@example.com",
      password: "x",
    });
    expect(notAdmin.error?.status).toBe(403);
    expect(notAdmin.error?.code).toBe("not_admin");
  });
});

describe("rpc", () => {
  test("anon, authenticated and service role each run as their role with their claims", async () => {
    const anon = await anonClient().schema("gw_test").rpc("whoami");
    expect(anon.error).toBeNull();
    expect(anon.data).toMatchObject({ uid: null, role: "anon", claimRole: "anon", method: "POST" });
    expect(anon.data.path).toBe("/rpc/whoami");
    expect(anon.data.clientInfo).toContain("supabase-js");
    expect(anon.data.readOnly).toBe("on");
    expect(anon.data.timeout).toBe("3s");

    const user = await (await signedIn()).schema("gw_test").rpc("whoami");
    const { data: session } = await anonClient().auth.signInWithPassword({
      email: "staff@example.com",
      password: "correct horse",
    });
    expect(user.data).toMatchObject({
      uid: session.user!.id,
      role: "authenticated",
      timeout: "8s",
    });

    const service = await serviceClient().schema("gw_test").rpc("whoami");
    // service_role has no setting of its own: the authenticator's session setting holds.
    expect(service.data).toMatchObject({ role: "service_role", timeout: "8s" });
  });

  test("void is 204 and commits; volatile functions write", async () => {
    const { data, error, status } = await serviceClient().schema("gw_test").rpc("touch", {
      p_note: "it's here",
    });
    expect(error).toBeNull();
    expect(status).toBe(204);
    expect(data).toBeNull();
    const rows = await db.sql`select note, by_role from gw_test.notes where note = 'it''s here'`;
    expect([...rows]).toEqual([{ note: "it's here", by_role: "service_role" }]);
  });

  test("setof and table functions answer arrays; GET passes query parameters", async () => {
    const series = await anonClient().schema("gw_test").rpc("series", { p_n: 3 });
    expect(series.data).toEqual([1, 2, 3]);
    const empty = await anonClient().schema("gw_test").rpc("series", { p_n: 0 });
    expect(empty.data).toEqual([]);
    const pairs = await anonClient().schema("gw_test").rpc("pairs", { p_n: 2 }, { get: true });
    expect(pairs.data).toEqual([{ a: 1, b: "n1" }, { a: 2, b: "n2" }]);
    const defaulted = await anonClient().schema("gw_test").rpc("pairs");
    expect(defaulted.data).toHaveLength(2);
  });

  test("jsonb arguments arrive intact, strings stay JSON strings", async () => {
    const elementos = Array.from(
      { length: 10_000 },
      (_, i) => ({ ferrawin_id: `${i}-1`, marca: `M"${i}` }),
    );
    const { data, error } = await serviceClient().schema("gw_test").rpc("echo_batch", {
      p_key: "agent-key",
      p_seq: 7,
      p_batch: { elementos },
      p_label: "just text",
    });
    expect(error).toBeNull();
    expect(data).toEqual({
      key: "agent-key",
      seq: 7,
      n: 10_000,
      first: { ferrawin_id: "0-1", marca: 'M"0' },
      labelType: "string",
      label: "just text",
    });
    const whole = await serviceClient().schema("gw_test").rpc("whole", { any: [1, "two"] });
    expect(whole.data).toEqual({ any: [1, "two"] });
  });

  test("errors follow PostgREST's status map", async () => {
    const pt = await anonClient().schema("gw_test").rpc("forbidden");
    expect(pt.status).toBe(403);
    expect(pt.error).toMatchObject({
      code: "PT403",
      message: "staff may not do this",
      hint: "ask an admin",
    });

    const raised = await anonClient().schema("gw_test").rpc("complain", {
      p_msg: "fix the params",
    });
    expect(raised.status).toBe(400);
    expect(raised.error).toMatchObject({ code: "P0001", message: "fix the params" });

    const missing = await anonClient().schema("gw_test").rpc("nope", { p_x: 1 });
    expect(missing.status).toBe(404);
    expect(missing.error?.code).toBe("PGRST202");

    const denied = await anonClient().schema("gw_test").rpc("only_signed_in");
    expect(denied.status).toBe(401);
    expect(denied.error?.code).toBe("42501");
    const allowed = await (await signedIn()).schema("gw_test").rpc("only_signed_in");
    expect(allowed.data).toBe(1);

    const readOnly = await serviceClient().schema("gw_test").rpc("write_from_stable");
    expect(readOnly.error?.code).toBe("25006");
  });

  test("bad and expired JWTs are 401 PGRST301", async () => {
    const asBearer = (token: string) =>
      createClient(gateway.url, gateway.anonKey, {
        ...clientOptions,
        global: { headers: { Authorization: `Bearer ${token}` } },
      }).schema("gw_test").rpc("whoami");
    const forged = signJwt({ role: "service_role" }, "another-secret-another-secret-12345");
    const bad = await asBearer(forged);
    expect(bad.status).toBe(401);
    expect(bad.error?.code).toBe("PGRST301");
    const expired = signJwt({ role: "anon", exp: Math.floor(Date.now() / 1000) - 10 }, JWT_SECRET);
    expect((await asBearer(expired)).status).toBe(401);
    // The legacy secret still verifies, as on a project that has not revoked it.
    const legacy = signJwt({ role: "authenticated", sub: crypto.randomUUID() }, JWT_SECRET);
    expect((await asBearer(legacy)).data).toMatchObject({ role: "authenticated" });
  });

  /** whoami with a token the project signed, claiming `role`: [status, code]. */
  const whoamiAs = async (role: string) => {
    const token = gateway.signToken({ role, exp: Math.floor(Date.now() / 1000) + 60 });
    const answer = await fetch(`${gateway.url}/rest/v1/rpc/whoami`, {
      method: "POST",
      headers: {
        apikey: gateway.anonKey,
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "content-profile": "gw_test",
      },
      body: "{}",
    });
    return [answer.status, (await answer.json()).code];
  };

  test("a role the database does not have is 401, as PostgREST answers 22023 'role … does not exist'", async () => {
    expect(await whoamiAs("ghost")).toEqual([401, "22023"]);
  });

  test("a token naming a role the authenticator may not switch to is refused, whoever signed it", async () => {
    expect(await whoamiAs("postgres")).toEqual([403, "42501"]);
    expect(await whoamiAs("pg_read_all_data")).toEqual([403, "42501"]);
    const table = await fetch(`${gateway.url}/rest/v1/notes`, {
      headers: {
        apikey: gateway.anonKey,
        authorization: `Bearer ${
          gateway.signToken({ role: "postgres", exp: Math.floor(Date.now() / 1000) + 60 })
        }`,
        "accept-profile": "gw_test",
      },
    });
    expect(table.status).toBe(403);
  });

  test("role settings come from the database and apply per request, as PostgREST reads them", async () => {
    await db.sql.unsafe("alter role authenticated set statement_timeout = '7s'");
    try {
      await gateway.reloadConfig();
      const user = await (await signedIn()).schema("gw_test").rpc("whoami");
      expect(user.data.timeout).toBe("7s");
    } finally {
      await db.sql.unsafe("alter role authenticated set statement_timeout = '8s'");
      await gateway.reloadConfig();
    }
  });

  test("a schema the API does not expose is 406 PGRST106, for RPC and tables alike", async () => {
    const rpc = await anonClient().schema("auth").rpc("uid");
    expect(rpc.status).toBe(406);
    expect(rpc.error?.code).toBe("PGRST106");
    expect(rpc.error?.hint).toBe("Only the following schemas are exposed: public, gw_test");
    const table = await anonClient().schema("auth").from("users").select("*");
    expect(table.status).toBe(406);
    expect(table.error?.code).toBe("PGRST106");
  });

  test("anon statements time out after 3 s", async () => {
    const started = Date.now();
    const slow = await anonClient().schema("gw_test").rpc("slow", { p_s: 5 });
    expect(slow.error?.code).toBe("57014");
    expect(Date.now() - started).toBeLessThan(4500);
  }, 10_000);
});

describe("table endpoints", () => {
  test("GET /rest/v1/<table> reads as the caller's role; grants and RLS decide", async () => {
    await db.sql`insert into gw_test.notes values ('visible', 'seed'), ('other', 'seed')`;
    const all = await anonClient().schema("gw_test").from("notes").select("note");
    expect(all.error).toBeNull();
    expect(all.data?.map((r) => r.note)).toContain("visible");
    const one = await anonClient().schema("gw_test").from("notes").select("note, by_role").eq(
      "note",
      "visible",
    );
    expect(one.data).toEqual([{ note: "visible", by_role: "seed" }]);
    const limited = await anonClient().schema("gw_test").from("notes").select("*").limit(1);
    expect(limited.data).toHaveLength(1);

    await db.sql.unsafe("revoke select on gw_test.notes from anon");
    try {
      const denied = await anonClient().schema("gw_test").from("notes").select("*");
      expect(denied.status).toBe(401);
      expect(denied.error?.code).toBe("42501");
      const signedInRead = await (await signedIn()).schema("gw_test").from("notes").select("*");
      expect(signedInRead.error).toBeNull();
    } finally {
      await db.sql.unsafe("grant select on gw_test.notes to anon");
    }
  });

  test("an unknown table is 404 PGRST205 and an unknown column 400; writes are not served", async () => {
    const missing = await anonClient().schema("gw_test").from("nope").select("*");
    expect(missing.status).toBe(404);
    expect(missing.error?.code).toBe("PGRST205");
    const column = await anonClient().schema("gw_test").from("notes").select("secret");
    expect(column.status).toBe(400);
    const insert = await serviceClient().schema("gw_test").from("notes").insert({ note: "x" });
    expect(insert.status).toBe(405);
    expect(insert.error?.code).toBe("PGRST117");
  });
});

describe("API keys and signing keys", () => {
  test("a current project: sb_ keys mapped to anon and service_role, missing or unknown keys refused", async () => {
    expect(gateway.anonKey).toStartWith("sb_publishable_");
    expect(gateway.serviceRoleKey).toStartWith("sb_secret_");
    expect((await anonClient().schema("gw_test").rpc("whoami")).data.role).toBe("anon");
    expect((await serviceClient().schema("gw_test").rpc("whoami")).data.role).toBe("service_role");
    const call = (headers: Record<string, string>) =>
      fetch(`${gateway.url}/rest/v1/rpc/whoami`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-profile": "gw_test", ...headers },
        body: "{}",
      });
    const none = await call({});
    expect(none.status).toBe(401);
    expect((await none.json()).message).toBe("No API key found in request");
    const unknown = await call({ apikey: "sb_secret_not-this-projects" });
    expect(unknown.status).toBe(401);
    expect((await unknown.json()).message).toBe("Invalid API key");
    const fromBrowser = await call({
      apikey: gateway.serviceRoleKey,
      "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0",
    });
    expect(fromBrowser.status).toBe(401);
    expect((await fromBrowser.json()).message).toBe("Forbidden use of secret API key in browser");
    const publishableFromBrowser = await call({
      apikey: gateway.anonKey,
      "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0",
    });
    expect(publishableFromBrowser.status).toBe(200);
    const token = await fetch(`${gateway.url}/auth/v1/token?grant_type=password`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "staff@example.com", password: "correct horse" }),
    });
    expect(token.status).toBe(401);
  });

  test("user tokens are ES256 with the kid the JWKS publishes, and verify with it", async () => {
    const { data } = await anonClient().auth.signInWithPassword({
      email: "staff@example.com",
      password: "correct horse",
    });
    const token = data.session!.access_token;
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const { alg, kid } = JSON.parse(Buffer.from(header, "base64url").toString());
    expect(alg).toBe("ES256");
    const jwks = await (await fetch(`${gateway.url}/auth/v1/.well-known/jwks.json`)).json();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kid, alg: "ES256", kty: "EC", crv: "P-256", use: "sig" });
    expect(jwks.keys[0].d).toBeUndefined();
    const key = await crypto.subtle.importKey(
      "jwk",
      jwks.keys[0],
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["verify"],
    );
    const valid = await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" },
      key,
      Buffer.from(signature, "base64url"),
      new TextEncoder().encode(`${header}.${payload}`),
    );
    expect(valid).toBe(true);
  });

  test("the legacy switch: HS256 tokens, JWT API keys and an empty JWKS", async () => {
    const legacy = await startGateway({
      dbUrl: db.cluster.url,
      jwtSecret: JWT_SECRET,
      jwtMode: "hs256",
      functionsUpstream: `http://127.0.0.1:${upstream.port}`,
      exposedSchemas: TEST_EXPOSED_SCHEMAS,
    });
    try {
      expect(legacy.anonKey).toStartWith("ey");
      const client = createClient(legacy.url, legacy.anonKey, clientOptions);
      const { data, error } = await client.auth.signInWithPassword({
        email: "staff@example.com",
        password: "correct horse",
      });
      expect(error).toBeNull();
      const header = JSON.parse(
        Buffer.from(data.session!.access_token.split(".")[0]!, "base64url").toString(),
      );
      expect(header.alg).toBe("HS256");
      expect((await client.schema("gw_test").rpc("whoami")).data.role).toBe("authenticated");
      const jwks = await (await fetch(legacy.jwksUrl)).json();
      expect(jwks).toEqual({ keys: [] });
    } finally {
      await legacy.stop();
    }
  });
});

describe("functions and CORS", () => {
  test("an OPTIONS to /functions/v1 reaches the function untouched: the function answers CORS", async () => {
    const response = await fetch(`${gateway.url}/functions/v1/tiny/echo`, {
      method: "OPTIONS",
      headers: { Origin: "https://wrong.example", "Access-Control-Request-Method": "POST" },
    });
    expect(response.status).toBe(201);
    expect((await response.json()).method).toBe("OPTIONS");
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("functions.invoke goes through the proxy with the session's token", async () => {
    const client = await signedIn();
    const { data, error } = await client.functions.invoke("tiny/echo?x=1", {
      body: { hello: "edge" },
    });
    expect(error).toBeNull();
    expect(data.method).toBe("POST");
    expect(data.path).toBe("/tiny/echo");
    expect(data.search).toBe("?x=1");
    expect(data.authorization).toMatch(/^Bearer ey/);
    expect(JSON.parse(data.body)).toEqual({ hello: "edge" });
  });

  test("upstream status and Content-Type pass through", async () => {
    const { error } = await anonClient().functions.invoke("tiny/teapot", { method: "GET" });
    const response = (error as { context: Response }).context;
    expect(response.status).toBe(418);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(await response.text()).toBe("short and stout");
  });

  test("preflight allows supabase-js's headers", async () => {
    const response = await fetch(`${gateway.url}/rest/v1/rpc/whoami`, {
      method: "OPTIONS",
      headers: { Origin: "http://localhost:5173", "Access-Control-Request-Method": "POST" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    const allowed = response.headers.get("access-control-allow-headers") ?? "";
    for (
      const h of [
        "authorization",
        "apikey",
        "x-client-info",
        "content-type",
        "x-supabase-api-version",
        "content-profile",
        "prefer",
        "x-retry-count",
      ]
    ) {
      expect(allowed).toContain(h);
    }
    expect(response.headers.get("access-control-expose-headers")).toContain(
      "X-Supabase-Api-Version",
    );
  });
});
