// GoTrue's admin and email-link routes driven by supabase-js, as the edge opens customer portal accounts:
// `auth.admin.createUser` (supabase/auth internal/api/admin.go: a taken email is 422 email_exists, also
// under a race; no strength check; no password means a random one), `inviteUserByEmail`, the link in
// the caught mail, `GET /verify`, `updateUser({ password })`, `resetPasswordForEmail`, and an unconfirmed
// email refused at sign-in.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createClient } from "@supabase/supabase-js";
import postgres from "postgres";
import { type Gateway, startGateway } from "../index.ts";
import { type GatewayTestDatabase, startGatewayTestDatabase } from "../test-database.ts";

const JWT_SECRET = "admin-users-test-secret-32-characters!!";
const clientOptions = { auth: { persistSession: false, autoRefreshToken: false } };
let db: GatewayTestDatabase;
let gateway: Gateway;

const serviceClient = () => createClient(gateway.url, gateway.serviceRoleKey, clientOptions);
const anonClient = () => createClient(gateway.url, gateway.anonKey, clientOptions);

beforeAll(async () => {
  db = await startGatewayTestDatabase();
  gateway = await startGateway({
    dbUrl: db.cluster.url,
    jwtSecret: JWT_SECRET,
    functionsUpstream: "http://127.0.0.1:9",
  });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await db?.stop();
});

describe("auth.admin.createUser", () => {
  test("creates a confirmed user with its metadata, who can then sign in", async () => {
    const { data, error } = await serviceClient().auth.admin.createUser({
      email: "Ana.Perez@Example.com",
      password: "12345678",
      email_confirm: true,
      user_metadata: { must_change_password: true },
      app_metadata: { role: "customer", must_change_password: true },
    });
    expect(error).toBeNull();
    expect(data.user?.email).toBe("ana.perez@example.com");
    expect(data.user?.email_confirmed_at).toBeString();
    expect(data.user?.app_metadata).toMatchObject({
      provider: "email",
      role: "customer",
      must_change_password: true,
    });
    expect(data.user?.user_metadata).toEqual({ must_change_password: true });

    const client = anonClient();
    const signIn = await client.auth.signInWithPassword({
      email: "ana.perez@example.com",
      password: "12345678",
    });
    expect(signIn.error).toBeNull();
    expect(signIn.data.user?.id).toBe(data.user!.id);
    expect(signIn.data.user?.app_metadata.must_change_password).toBe(true);
  });

  test("an email already registered, in any case, is 422 email_exists and changes nothing", async () => {
    const { error } = await serviceClient().auth.admin.createUser({
      email: "ANA.PEREZ@example.com",
      password: "another-password",
      email_confirm: true,
    });
    expect(error?.status).toBe(422);
    expect(error?.code).toBe("email_exists");
    const old = await anonClient().auth.signInWithPassword({
      email: "ana.perez@example.com",
      password: "12345678",
    });
    expect(old.error).toBeNull();
  });

  test("the same email created five times at once makes exactly one user", async () => {
    const attempts = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        serviceClient().auth.admin.createUser({
          email: "race@example.com",
          password: `password-${i}`,
          email_confirm: true,
        })),
    );
    expect(attempts.filter((a) => a.error === null)).toHaveLength(1);
    expect(attempts.filter((a) => a.error !== null).map((a) => a.error?.code)).toEqual(
      Array(4).fill("email_exists"),
    );
  });

  test("the admin API checks no password strength (admin.go), but bcrypt's 72 bytes", async () => {
    const short = await serviceClient().auth.admin.createUser({
      email: "short@example.com",
      password: "12345",
      email_confirm: true,
    });
    expect(short.error).toBeNull();
    const long = await serviceClient().auth.admin.createUser({
      email: "long@example.com",
      password: "x".repeat(73),
    });
    expect(long.error?.status).toBe(400);
    expect(long.error?.code).toBe("validation_failed");
  });

  test("without a password the user gets a random one; unconfirmed, it cannot sign in", async () => {
    const { data, error } = await serviceClient().auth.admin.createUser({
      email: "nopass@example.com",
      email_confirm: false,
      app_metadata: { role: "customer" },
    });
    expect(error).toBeNull();
    expect(data.user?.email_confirmed_at).toBeUndefined();
    const sql = postgres(db.cluster.url, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ encrypted_password: string }[]>`
        select encrypted_password from auth.users where email = 'nopass@example.com'`;
      expect(row?.encrypted_password).toStartWith("$2");
    } finally {
      await sql.end();
    }
    await serviceClient().auth.admin.createUser({
      email: "unconfirmed@example.com",
      password: "known-password",
    });
    const signIn = await anonClient().auth.signInWithPassword({
      email: "unconfirmed@example.com",
      password: "known-password",
    });
    expect(signIn.error?.code).toBe("email_not_confirmed");
  });

  test("a malformed email is 400 validation_failed", async () => {
    const { error } = await serviceClient().auth.admin.createUser({
      email: "not-an-email",
      password: "12345678",
    });
    expect(error?.status).toBe(400);
    expect(error?.code).toBe("validation_failed");
  });
});

describe("invite, email links and the person's own password", () => {
  const linkIn = async (to: string, subject: string) => {
    const list = await (await fetch(`${gateway.url}/__mail/api/v1/messages?to=${to}`)).json();
    const summary = list.messages.find((m: { Subject: string }) => m.Subject === subject);
    expect(summary).toBeDefined();
    const mail = await (await fetch(`${gateway.url}/__mail/api/v1/message/${summary.ID}`)).json();
    return /href="([^"]+)"/.exec(mail.HTML)![1]!.replaceAll("&amp;", "&");
  };
  const follow = async (link: string) => {
    const response = await fetch(link, { redirect: "manual" });
    expect(response.status).toBe(303);
    return new URLSearchParams(new URL(response.headers.get("location")!).hash.slice(1));
  };

  test("an invited customer sets their own password from the link, once", async () => {
    const admin = serviceClient().auth.admin;
    const created = await admin.createUser({
      email: "cliente@example.com",
      email_confirm: false,
      app_metadata: { role: "customer", customer_id: "c1" },
    });
    expect(created.error).toBeNull();
    const invited = await admin.inviteUserByEmail("cliente@example.com", {
      redirectTo: "http://127.0.0.1:8080/",
    });
    expect(invited.error).toBeNull();
    expect(invited.data.user?.id).toBe(created.data.user!.id);

    const link = await linkIn("cliente@example.com", "You have been invited");
    expect(link).toContain("type=invite");
    const fragment = await follow(link);
    expect(fragment.get("type")).toBe("invite");
    const client = anonClient();
    await client.auth.setSession({
      access_token: fragment.get("access_token")!,
      refresh_token: fragment.get("refresh_token")!,
    });
    expect((await client.auth.updateUser({ password: "12345" })).error?.code).toBe("weak_password");
    const set = await client.auth.updateUser({ password: "mi-clave-segura" });
    expect(set.error).toBeNull();
    expect(set.data.user?.app_metadata.role).toBe("customer");
    const signIn = await anonClient().auth.signInWithPassword({
      email: "cliente@example.com",
      password: "mi-clave-segura",
    });
    expect(signIn.error).toBeNull();

    // Spent: the same link again redirects with otp_expired.
    expect((await follow(link)).get("error_code")).toBe("otp_expired");
    // Confirmed now, so a second invite is email_exists.
    const again = await admin.inviteUserByEmail("cliente@example.com");
    expect(again.error?.code).toBe("email_exists");
  });

  test("an invite never goes to a confirmed account; a redirect to another host lands on the site URL", async () => {
    await serviceClient().auth.admin.createUser({
      email: "staff-and-customer@example.com",
      password: "staff-password",
      email_confirm: true,
      app_metadata: { role: "staff" },
    });
    const invite = await serviceClient().auth.admin.inviteUserByEmail(
      "staff-and-customer@example.com",
    );
    expect(invite.error?.code).toBe("email_exists");
    expect(
      (await fetch(`${gateway.url}/__mail/api/v1/messages?to=staff-and-customer@example.com`)
        .then((r) => r.json())).total,
    ).toBe(0);
    const anon = await fetch(`${gateway.url}/auth/v1/invite`, {
      method: "POST",
      headers: { apikey: gateway.anonKey, authorization: `Bearer ${gateway.anonKey}` },
      body: JSON.stringify({ email: "x@example.com" }),
    });
    expect(anon.status).toBe(403);

    await serviceClient().auth.admin.inviteUserByEmail("otro@example.com", {
      redirectTo: "https://evil.example/steal",
    });
    const link = await linkIn("otro@example.com", "You have been invited");
    const response = await fetch(link, { redirect: "manual" });
    expect(response.headers.get("location")).toStartWith("http://127.0.0.1:5173");
  });

  test("recovery: a link for a registered email, the same 200 for an unknown one, once a minute", async () => {
    const client = anonClient();
    expect((await client.auth.resetPasswordForEmail("nadie@example.com")).error).toBeNull();
    expect((await client.auth.resetPasswordForEmail("short@example.com")).error).toBeNull();
    const tooSoon = await client.auth.resetPasswordForEmail("short@example.com");
    expect(tooSoon.error?.status).toBe(429);
    const fragment = await follow(await linkIn("short@example.com", "Reset Your Password"));
    expect(fragment.get("type")).toBe("recovery");
    expect(fragment.get("access_token")).toBeString();
    expect(
      (await fetch(`${gateway.url}/__mail/api/v1/messages?to=nadie@example.com`)
        .then((r) => r.json())).total,
    ).toBe(0);
  });
});
