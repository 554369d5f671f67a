// `POST /auth/v1/admin/users` driven by supabase-js `auth.admin.createUser`, the call the edge makes to
// open customer portal accounts: GoTrue's answers for a new user, a taken email (also under a race),
// a short password and a malformed email.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createClient } from "@supabase/supabase-js";
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

  test("a password under 6 characters is 422 weak_password with the reason", async () => {
    const { data, error } = await serviceClient().auth.admin.createUser({
      email: "short@example.com",
      password: "12345",
    });
    expect(data.user).toBeNull();
    expect(error?.name).toBe("AuthWeakPasswordError");
    expect(error?.status).toBe(422);
    expect(error?.code).toBe("weak_password");
    expect((error as unknown as { reasons: string[] }).reasons).toEqual(["length"]);
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
