import { expect, test } from "bun:test";
import { JwtInvalid, mintApiKey, ProjectKeys, signJwt, verifyJwt } from "./jwt.ts";

const SECRET = "s".repeat(40);

test("a signed token verifies and returns its claims", () => {
  const token = signJwt({ sub: "u1", role: "authenticated", exp: 2_000_000_000 }, SECRET);
  expect(verifyJwt(token, SECRET)).toEqual({
    sub: "u1",
    role: "authenticated",
    exp: 2_000_000_000,
  });
});

test("wrong secret, expiry, tampering and other algorithms are rejected", () => {
  const token = signJwt({ role: "anon", exp: 100 }, SECRET);
  expect(() => verifyJwt(token, SECRET, 99)).not.toThrow();
  expect(() => verifyJwt(token, SECRET, 100)).toThrow(JwtInvalid);
  expect(() => verifyJwt(token, "x".repeat(40), 50)).toThrow("signature");
  const [h, , s] = token.split(".");
  const tampered = `${h}.${Buffer.from('{"role":"service_role"}').toString("base64url")}.${s}`;
  expect(() => verifyJwt(tampered, SECRET, 50)).toThrow("signature");
  const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.e30.`;
  expect(() => verifyJwt(none, SECRET)).toThrow("algorithm");
  expect(() => verifyJwt("abc", SECRET)).toThrow(JwtInvalid);
});

test("API keys carry their role and outlive a decade of tests", () => {
  const claims = verifyJwt(mintApiKey("service_role", SECRET), SECRET);
  expect(claims.role).toBe("service_role");
  expect(Number(claims.exp)).toBeGreaterThan(Date.now() / 1000 + 9 * 365 * 24 * 3600);
});

test("a current project signs ES256 with its kid and still verifies the legacy secret", () => {
  const keys = new ProjectKeys("es256", SECRET);
  const token = keys.sign({ sub: "u1", role: "authenticated", exp: 2_000_000_000 });
  const header = JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString());
  expect(header).toEqual({ alg: "ES256", kid: keys.kid, typ: "JWT" });
  expect(keys.verify(token).sub).toBe("u1");
  expect(keys.verify(signJwt({ role: "anon", exp: 2_000_000_000 }, SECRET)).role).toBe("anon");
  const [h, , s] = token.split(".");
  const tampered = `${h}.${Buffer.from('{"role":"service_role"}').toString("base64url")}.${s}`;
  expect(() => keys.verify(tampered)).toThrow("signature");
  const otherProject = new ProjectKeys("es256", SECRET).sign({ role: "service_role" });
  expect(() => keys.verify(otherProject)).toThrow("kid");
  expect(() => keys.verify(`${h}.e30.${s!.slice(0, 10)}`)).toThrow(JwtInvalid);
  expect(() => keys.verify(`${h}!.e30.${s}`)).toThrow(JwtInvalid);
  expect(keys.jwks().keys[0]).not.toHaveProperty("d");
});

test("API keys map to roles as Supabase's gateway maps them", () => {
  const current = new ProjectKeys("es256", SECRET);
  expect(current.apiKeyRole(current.anonKey)).toBe("anon");
  expect(current.apiKeyRole(current.serviceRoleKey)).toBe("service_role");
  expect(current.apiKeyRole(current.legacyServiceRoleKey)).toBe("service_role");
  expect(current.apiKeyRole(`${current.serviceRoleKey}x`)).toBeNull();
  expect(current.verify(current.roleToken("service_role")).role).toBe("service_role");
  const legacy = new ProjectKeys("hs256", SECRET);
  expect(legacy.anonKey).toBe(legacy.legacyAnonKey);
  expect(legacy.jwks()).toEqual({ keys: [] });
  expect(() => legacy.verify(current.sign({ role: "anon" }))).toThrow("not accepted");
});
