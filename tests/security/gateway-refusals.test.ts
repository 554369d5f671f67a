// The gateway refuses what hosted Supabase refuses, with the same status and code, and writes nothing:
// missing or foreign API keys, schemas the API does not expose, roles the authenticator may not become,
// table writes and unknown paths. Each request is checked alone against every table's checksum.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { signJwt } from "../../devstack/src/gateway/jwt.ts";
import { bootStack, DatabaseWatch, signIn, type Stack } from "./support.ts";

let stack: Stack;
let watch: DatabaseWatch;
let admin: string;

beforeAll(async () => {
  stack = await bootStack();
  watch = await DatabaseWatch.open(stack.info);
  admin = await signIn(stack.info, "admin");
}, 120_000);

afterAll(async () => {
  await watch?.close();
  await stack?.stop();
});

interface Probe {
  name: string;
  method?: string;
  path: string;
  headers?: (info: Stack["info"]) => Record<string, string>;
  body?: string;
  status: number;
  /** PostgREST's `code`, GoTrue's `error_code`, or the gateway's `message`. */
  says: string;
}

const anon = (info: Stack["info"]) => ({ apikey: info.anonKey });
const asAdmin = (info: Stack["info"]) => ({
  apikey: info.anonKey,
  authorization: `Bearer ${admin}`,
});
const json = { "content-type": "application/json" };
const expiresSoon = () => Math.floor(Date.now() / 1000) + 60;

const PROBES: Probe[] = [
  {
    name: "no apikey",
    path: "/rest/v1/rpc/sync_overview",
    method: "POST",
    body: "{}",
    status: 401,
    says: "No API key found in request",
  },
  {
    name: "a made-up secret key",
    path: "/rest/v1/rpc/create_agent",
    method: "POST",
    headers: () => ({
      apikey: "sb_secret_0123456789abcdef",
      authorization: "Bearer sb_secret_0123456789abcdef",
      ...json,
    }),
    body: '{"p_name":"x"}',
    status: 401,
    says: "Invalid API key",
  },
  {
    name: "the publishable key with a character added",
    path: "/auth/v1/admin/users",
    method: "POST",
    headers: (info) => ({ apikey: `${info.anonKey}x`, ...json }),
    body: '{"email":"x@example.com","password":"123456"}',
    status: 401,
    says: "Invalid API key",
  },
  {
    name: "Content-Profile: auth",
    path: "/rest/v1/rpc/uid",
    method: "POST",
    headers: (info) => ({ ...asAdmin(info), "content-profile": "auth", ...json }),
    body: "{}",
    status: 406,
    says: "PGRST106",
  },
  {
    name: "Accept-Profile: extensions",
    path: "/rest/v1/rpc/gen_random_uuid",
    headers: (info) => ({ ...anon(info), "accept-profile": "extensions" }),
    status: 406,
    says: "PGRST106",
  },
  {
    name: "reading auth.users through the table endpoint",
    path: "/rest/v1/users?select=*",
    headers: (info) => ({ ...asAdmin(info), "accept-profile": "auth" }),
    status: 406,
    says: "PGRST106",
  },
  {
    name: "a legacy-signed token claiming the postgres role",
    path: "/rest/v1/rpc/create_agent",
    method: "POST",
    headers: (info) => ({
      ...anon(info),
      authorization: `Bearer ${signJwt({ role: "postgres", exp: expiresSoon() }, info.jwtSecret)}`,
      ...json,
    }),
    body: '{"p_name":"as-postgres"}',
    status: 403,
    says: "42501",
  },
  {
    name: "a legacy-signed token claiming a role that does not exist",
    path: "/rest/v1/commands?select=*",
    headers: (info) => ({
      ...anon(info),
      authorization: `Bearer ${signJwt({ role: "root", exp: expiresSoon() }, info.jwtSecret)}`,
    }),
    status: 401,
    says: "22023",
  },
  {
    name: "inserting into a table",
    path: "/rest/v1/agents",
    method: "POST",
    headers: (info) => ({ ...asAdmin(info), ...json }),
    body: '{"name":"direct","key_hash":"x"}',
    status: 405,
    says: "PGRST117",
  },
  {
    name: "deleting from a table",
    path: "/rest/v1/runs?id=not.is.null",
    method: "DELETE",
    headers: asAdmin,
    status: 405,
    says: "PGRST117",
  },
  {
    name: "reading the command mailbox as admin",
    path: "/rest/v1/commands?select=id",
    headers: asAdmin,
    status: 403,
    says: "42501",
  },
  {
    name: "reading agent key hashes as admin",
    path: "/rest/v1/agents?select=key_hash",
    headers: asAdmin,
    status: 403,
    says: "42501",
  },
  {
    name: "a table that does not exist",
    path: "/rest/v1/pg_shadow?select=*",
    headers: asAdmin,
    status: 404,
    says: "PGRST205",
  },
  {
    name: "a filter the API does not know, carrying SQL",
    path: "/rest/v1/runs?id=eq.1;drop table runs",
    headers: asAdmin,
    status: 400,
    says: "22P02",
  },
  {
    name: "a column that does not exist",
    path: "/rest/v1/runs?select=id,(select 1)",
    headers: asAdmin,
    status: 400,
    says: "PGRST100",
  },
  {
    name: "PUT on an RPC",
    path: "/rest/v1/rpc/create_agent",
    method: "PUT",
    headers: (info) => ({ ...asAdmin(info), ...json }),
    body: '{"p_name":"put"}',
    status: 405,
    says: "PGRST101",
  },
  {
    name: "a nested path under /rest/v1",
    path: "/rest/v1/rpc/create_agent/x",
    method: "POST",
    headers: (info) => ({ ...asAdmin(info), ...json }),
    body: '{"p_name":"nested"}',
    status: 404,
    says: "PGRST125",
  },
  {
    name: "creating a user with the publishable key",
    path: "/auth/v1/admin/users",
    method: "POST",
    headers: (info) => ({ apikey: info.anonKey, ...json }),
    body: '{"email":"pub@example.com","password":"123456","app_metadata":{"role":"admin"}}',
    status: 403,
    says: "not_admin",
  },
  {
    name: "creating a user with an admin's session",
    path: "/auth/v1/admin/users",
    method: "POST",
    headers: (info) => ({ ...asAdmin(info), ...json }),
    body: '{"email":"sess@example.com","password":"123456","app_metadata":{"role":"admin"}}',
    status: 403,
    says: "not_admin",
  },
];

describe("gateway refusals", () => {
  test("every probe gets hosted Supabase's refusal and writes nothing", async () => {
    const results: string[] = [];
    const expected: string[] = [];
    for (const probe of PROBES) {
      let got = "";
      const changed = await watch.changedBy(async () => {
        const response = await fetch(`${stack.info.supabaseUrl}${probe.path}`, {
          method: probe.method ?? "GET",
          headers: probe.headers?.(stack.info) ?? {},
          body: probe.body,
        });
        const body = await response.json().catch(() => ({})) as Record<string, unknown>;
        const says = body.code ?? body.error_code ?? body.message;
        got = `${probe.name}: ${response.status} ${String(says)}`;
      });
      results.push(changed.length ? `${got}; wrote ${changed.join(", ")}` : got);
      expected.push(`${probe.name}: ${probe.status} ${probe.says}`);
    }
    expect(results).toEqual(expected);
  });
});
