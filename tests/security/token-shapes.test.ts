// Bearer tokens of every shape against the devstack, whatever part of it they reach: the edge function
// (a user route and channel auth), PostgREST's RPC and GoTrue's /user. Truncated, bad base64, bad
// JSON, wrong algorithm, unknown or forged kid: always the documented 401 (GoTrue: 403 bad_jwt), never a
// 500, and nothing written. A genuine ES256 session token of the same project is the control.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generateKeyPairSync, sign } from "node:crypto";
import {
  bootStack,
  callEdge,
  callRpc,
  channelAuth,
  DatabaseWatch,
  postPause,
  signIn,
  type Stack,
  uuid,
} from "./support.ts";

let stack: Stack;
let watch: DatabaseWatch;
let genuine: string;

beforeAll(async () => {
  stack = await bootStack();
  watch = await DatabaseWatch.open(stack.info);
  genuine = await signIn(stack.info, "admin");
}, 120_000);

afterAll(async () => {
  await watch?.close();
  await stack?.stop();
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);

/** Every shape, built from a genuine token so only the one thing named is wrong. */
function shapes(token: string, kid: string): Record<string, string> {
  const [h, p, s] = token.split(".") as [string, string, string];
  const adminClaims = { ...JSON.parse(Buffer.from(p, "base64url").toString()), exp: now() + 600 };
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const forge = (header: Record<string, unknown>) => {
    const body = `${b64(header)}.${b64(adminClaims)}`;
    const signature = sign("sha256", Buffer.from(body), {
      key: privateKey,
      dsaEncoding: "ieee-p1363",
    });
    return `${body}.${signature.toString("base64url")}`;
  };
  return {
    "one part": h,
    "two parts": `${h}.${p}`,
    "four parts": `${token}.${s}`,
    "truncated signature": `${h}.${p}.${s.slice(0, 30)}`,
    "signature one character into a base64 quantum": `${h}.${p}.${s.slice(0, 29)}`,
    "no signature": `${h}.${p}.`,
    "truncated payload": `${h}.${p.slice(0, p.length - 5)}.${s}`,
    "signature with characters outside base64url": `${h}.${p}.${s.slice(0, -3)}+/=`,
    "header with characters outside base64url": `${h}$.${p}.${s}`,
    "header not JSON": `${Buffer.from("{alg:ES256").toString("base64url")}.${p}.${s}`,
    "payload not JSON": `${h}.${Buffer.from("{sub:").toString("base64url")}.${s}`,
    "payload null": `${h}.${b64(null)}.${s}`,
    "payload an array": `${h}.${b64([adminClaims])}.${s}`,
    "payload not UTF-8": `${h}.${Buffer.from([0xff, 0xfe, 0x7b]).toString("base64url")}.${s}`,
    "alg none": `${b64({ alg: "none", typ: "JWT" })}.${b64(adminClaims)}.`,
    "alg missing": `${b64({ kid, typ: "JWT" })}.${p}.${s}`,
    "alg HS512": `${b64({ alg: "HS512", typ: "JWT" })}.${p}.${s}`,
    "alg RS256 naming the project's kid": `${b64({ alg: "RS256", kid, typ: "JWT" })}.${p}.${s}`,
    "alg ES384": `${b64({ alg: "ES384", kid, typ: "JWT" })}.${p}.${s}`,
    "HS256 header on an ES256 signature": `${b64({ alg: "HS256", typ: "JWT" })}.${p}.${s}`,
    "kid unknown, signed by another key": forge({ alg: "ES256", kid: uuid(), typ: "JWT" }),
    "the project's kid, signed by another key": forge({ alg: "ES256", kid, typ: "JWT" }),
    "no kid, signed by another key": forge({ alg: "ES256", typ: "JWT" }),
    "claims swapped under a genuine signature": `${h}.${b64({ ...adminClaims, sub: uuid() })}.${s}`,
  };
}

describe("token shapes", () => {
  test("the control: a genuine session token is ES256 with the project's kid and works everywhere", async () => {
    const header = JSON.parse(Buffer.from(genuine.split(".")[0]!, "base64url").toString());
    expect(header.alg).toBe("ES256");
    const jwks = await (await fetch(`${stack.info.supabaseUrl}/auth/v1/.well-known/jwks.json`))
      .json();
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual([header.kid]);
    expect((await channelAuth(stack.info, { token: genuine }, "1.1", "private-sync-status")).status)
      .toBe(200);
    expect((await callRpc(stack.info, "sync_overview", {}, genuine)).status).toBe(200);
  });

  test("every malformed, mis-signed or mis-labelled token: edge 401, PostgREST 401, GoTrue 403 bad_jwt, no write", async () => {
    const info = stack.info;
    const kid = JSON.parse(Buffer.from(genuine.split(".")[0]!, "base64url").toString()).kid;
    const results: string[] = [];
    const expected: string[] = [];
    for (const [name, token] of Object.entries(shapes(genuine, kid))) {
      const changed = await watch.changedBy(async () => {
        const edge = await postPause(info, token);
        const channel = await channelAuth(info, { token }, "1.1", "private-sync-status");
        const rpc = await callRpc(info, "create_agent", { p_name: "forged" }, token);
        const user = await fetch(`${info.supabaseUrl}/auth/v1/user`, {
          headers: { apikey: info.anonKey, authorization: `Bearer ${token}` },
        });
        const userBody = await user.json() as { error_code?: string };
        results.push(
          `${name}: edge ${edge.status} ${edge.body?.error?.code}, pusher auth ${channel.status}, ` +
            `rpc ${rpc.status} ${rpc.body?.code}, gotrue ${user.status} ${userBody.error_code}`,
        );
      });
      expected.push(
        `${name}: edge 401 unauthorized, pusher auth 401, rpc 401 PGRST301, gotrue 403 bad_jwt`,
      );
      if (changed.length) results.push(`${name}: wrote to ${changed.join(", ")}`);
    }
    expect(results).toEqual(expected);
    // The edge is still healthy afterwards.
    expect((await callEdge(info, "/health")).status).toBe(200);
  });
});
