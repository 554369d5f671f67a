import { expect, test } from "bun:test";
import { JwtInvalid, mintApiKey, signJwt, verifyJwt } from "./jwt.ts";

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
