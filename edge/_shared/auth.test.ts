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
  const verify = createJwtVerifier({ legacySecret: "local-secret" });
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
  const verify = createJwtVerifier({ jwksUrl: "https://example.test/jwks" }, () => {
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
  const inline = createJwtVerifier({ jwks: JSON.stringify(jwks) });
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

Deno.test("every shape of bad token is a 401, never a crash: truncated, bad base64, bad JSON, wrong alg, wrong kid", async () => {
  const ec = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const jwk = {
    ...(await crypto.subtle.exportKey("jwk", ec.publicKey)),
    kid: "ec-1",
    alg: "ES256",
  };
  const both = createJwtVerifier({ jwks: JSON.stringify({ keys: [jwk] }), legacySecret: "s" });
  const asymmetricOnly = createJwtVerifier({ jwks: JSON.stringify({ keys: [jwk] }) });
  const legacyOnly = createJwtVerifier({ legacySecret: "s" });
  const esSign = (d: Uint8Array<ArrayBuffer>) =>
    crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, ec.privateKey, d);
  const good = await signWith({ alg: "ES256", kid: "ec-1" }, { sub: "e", exp: future() }, esSign);
  assertEquals((await both(good)).sub, "e");
  const [h, p, s] = good.split(".") as [string, string, string];
  const shapes: Record<string, string> = {
    "empty": "",
    "one part": h,
    "two parts": `${h}.${p}`,
    "four parts": `${good}.x`,
    "truncated signature": `${h}.${p}.${s.slice(0, 20)}`,
    "truncated payload": `${h}.${p.slice(0, 7)}.${s}`,
    "signature not base64url": `${h}.${p}.${s.slice(0, -4)}%%==`,
    "header not base64url": `${h}*.${p}.${s}`,
    "header one character short of base64": `${h.slice(0, -1)}.${p}.${s}`,
    "header not JSON": `${b64url(encoder.encode("{alg:"))}.${p}.${s}`,
    "header null": `${segment(null)}.${p}.${s}`,
    "header an array": `${segment(["ES256"])}.${p}.${s}`,
    "claims a number": `${h}.${segment(42)}.${s}`,
    "claims null": `${h}.${segment(null)}.${s}`,
    "claims not UTF-8": `${h}.${b64url(new Uint8Array([0xff, 0xfe, 0x7b]))}.${s}`,
    "alg missing": `${segment({ kid: "ec-1" })}.${p}.${s}`,
    "alg a number": `${segment({ alg: 256, kid: "ec-1" })}.${p}.${s}`,
    "alg none": `${segment({ alg: "none" })}.${p}.`,
    "alg HS512": `${segment({ alg: "HS512" })}.${p}.${s}`,
    "alg RS256 naming the EC key": `${segment({ alg: "RS256", kid: "ec-1" })}.${p}.${s}`,
    "alg ES384": `${segment({ alg: "ES384", kid: "ec-1" })}.${p}.${s}`,
    "kid unknown": `${segment({ alg: "ES256", kid: "other" })}.${p}.${s}`,
    "kid a number": `${segment({ alg: "ES256", kid: 1 })}.${p}.${s}`,
    "HS256 signed with the EC signature": `${segment({ alg: "HS256" })}.${p}.${s}`,
    "signature of another token": `${segment({ alg: "ES256", kid: "ec-1" })}.${
      segment({ sub: "x", exp: future() })
    }.${s}`,
  };
  const wrong: string[] = [];
  for (const [name, token] of Object.entries(shapes)) {
    for (const [verifierName, verify] of [["both", both], ["legacyOnly", legacyOnly]] as const) {
      try {
        await verify(token);
        wrong.push(`${name} (${verifierName}): accepted`);
      } catch (error) {
        if (!isUnauthorized(error)) wrong.push(`${name} (${verifierName}): ${String(error)}`);
      }
    }
  }
  // A genuine token is refused where its kind of key is not configured, still as a 401.
  await rejects(legacyOnly(good), isUnauthorized);
  const hs = await signWith(
    { alg: "HS256" },
    { sub: "h", exp: future() },
    async (d) =>
      await crypto.subtle.sign(
        "HMAC",
        await crypto.subtle.importKey(
          "raw",
          encoder.encode("s"),
          { name: "HMAC", hash: "SHA-256" },
          false,
          ["sign"],
        ),
        d,
      ),
  );
  assertEquals((await both(hs)).sub, "h");
  await rejects(asymmetricOnly(hs), isUnauthorized);
  assertEquals(wrong, []);
});

Deno.test("a JWKS that cannot be fetched is a 502 to retry, not a bad token", async () => {
  const verify = createJwtVerifier({ jwksUrl: "https://example.test/jwks" }, () => {
    return Promise.reject(new Error("connection refused"));
  });
  const ec = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const token = await signWith(
    { alg: "ES256", kid: "k" },
    { sub: "e", exp: future() },
    (d) => crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, ec.privateKey, d),
  );
  await rejects(verify(token), (e: unknown) => e instanceof ApiError && e.status === 502);
});
