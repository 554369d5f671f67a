import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { agentKeyOf, authenticateUser, createJwtVerifier } from "./auth.ts";
import { ApiError } from "./errors.ts";

const encoder = new TextEncoder();
const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const segment = (value: unknown) => b64url(encoder.encode(JSON.stringify(value)));
const future = () => Math.floor(Date.now() / 1000) + 600;

async function signWith(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  sign: (data: Uint8Array<ArrayBuffer>) => Promise<ArrayBuffer>,
) {
  const data = `${segment(header)}.${segment(claims)}`;
  return `${data}.${b64url(new Uint8Array(await sign(encoder.encode(data))))}`;
}

const isUnauthorized = (error: unknown) => error instanceof ApiError && error.status === 401;

Deno.test("HS256: valid, wrong secret, expired, alg none", async () => {
  const verify = createJwtVerifier({ kind: "hs256", secret: "local-secret" });
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode("local-secret"),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const hmac = (d: Uint8Array<ArrayBuffer>) => crypto.subtle.sign("HMAC", key, d);
  const good = await signWith({ alg: "HS256" }, { sub: "u", exp: future() }, hmac);
  assertEquals((await verify(good)).sub, "u");
  await rejects(verify(`${good.slice(0, -2)}xx`), isUnauthorized);
  await rejects(
    verify(await signWith({ alg: "HS256" }, { sub: "u", exp: 10 }, hmac)),
    isUnauthorized,
  );
  await rejects(
    verify(`${segment({ alg: "none" })}.${segment({ sub: "u", exp: future() })}.`),
    isUnauthorized,
  );
});

Deno.test("JWKS: RS256 and ES256 keys by kid", async () => {
  const rsa = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
  const ec = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const jwks = {
    keys: [
      { ...(await crypto.subtle.exportKey("jwk", rsa.publicKey)), kid: "rsa-1", alg: "RS256" },
      { ...(await crypto.subtle.exportKey("jwk", ec.publicKey)), kid: "ec-1", alg: "ES256" },
    ],
  };
  let fetched = 0;
  const verify = createJwtVerifier({ kind: "jwks", jwksUrl: "https://example.test/jwks" }, () => {
    fetched++;
    return Promise.resolve(jwks);
  });
  const rs = await signWith(
    { alg: "RS256", kid: "rsa-1" },
    { sub: "r", exp: future() },
    (d) => crypto.subtle.sign("RSASSA-PKCS1-v1_5", rsa.privateKey, d),
  );
  const es = await signWith(
    { alg: "ES256", kid: "ec-1" },
    { sub: "e", exp: future() },
    (d) => crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, ec.privateKey, d),
  );
  assertEquals((await verify(rs)).sub, "r");
  assertEquals((await verify(es)).sub, "e");
  assertEquals(fetched, 1);
  const unknownKid = await signWith(
    { alg: "ES256", kid: "other" },
    { sub: "e", exp: future() },
    (d) => crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, ec.privateKey, d),
  );
  await rejects(verify(unknownKid), isUnauthorized);
  const inline = createJwtVerifier({ kind: "jwks", jwks: JSON.stringify(jwks) });
  assertEquals((await inline(es)).sub, "e");
});

Deno.test("users carry their app_metadata role; agent keys come from either header", async () => {
  const verify = () =>
    Promise.resolve({
      sub: "u1",
      role: "authenticated",
      email: "a@b.c",
      app_metadata: { role: "admin" },
    });
  const request = new Request("http://x/", { headers: { Authorization: "Bearer ey.x.y" } });
  assertEquals(await authenticateUser(request, verify), {
    id: "u1",
    email: "a@b.c",
    role: "admin",
    jwt: "ey.x.y",
  });
  const userRoleOnlyInUserMetadata = () =>
    Promise.resolve({ sub: "u1", role: "authenticated", user_metadata: { role: "admin" } });
  assertEquals((await authenticateUser(request, userRoleOnlyInUserMetadata)).role, null);

  assertEquals(agentKeyOf(new Request("http://x/", { headers: { "x-agent-key": "k1" } })), "k1");
  assertEquals(
    agentKeyOf(new Request("http://x/", { headers: { Authorization: "Bearer pk_abc" } })),
    "pk_abc",
  );
  assertEquals(
    agentKeyOf(new Request("http://x/", { headers: { Authorization: "Bearer eyJa.eyJb.c" } })),
    undefined,
  );
});
