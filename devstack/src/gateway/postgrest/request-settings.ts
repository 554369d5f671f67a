// The transaction-local settings PostgREST sets before running a request: the role from the JWT, the
// claims, method, path and headers, and that role's settings (role-settings.ts).
import type { Sql } from "postgres";
import type { JwtClaims } from "../jwt.ts";
import { errorResponse } from "./errors.ts";
import { type RoleSettings, settingsFor } from "./role-settings.ts";

export interface Caller {
  claims: JwtClaims;
  /** The JWT's payload as the client sent it, or `{"role":"anon"}`. */
  claimsJson: string;
}

export const roleOf = (caller: Caller) =>
  typeof caller.claims.role === "string" ? caller.claims.role : "anon";

/** One `select set_config(...)` statement (and its parameters) for the request's transaction. */
export function requestSettings(
  request: Request,
  caller: Caller,
  roleSettings: RoleSettings,
): { text: string; values: string[] } {
  const role = roleOf(caller);
  const pairs: [string, string][] = [
    ["role", role],
    ["request.jwt.claims", caller.claimsJson],
    ["request.method", request.method],
    ["request.path", new URL(request.url).pathname.replace(/^\/rest\/v1/, "")],
    ["request.headers", JSON.stringify(Object.fromEntries(request.headers))],
    ...settingsFor(roleSettings, role),
  ];
  const calls = pairs.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`);
  return { text: `select ${calls.join(", ")}`, values: pairs.flat() };
}

/**
 * PostgREST logs in as `authenticator`, which may switch only to the roles granted to it. This gateway
 * logs in as a superuser, so it refuses any other role itself, with the error Postgres gives
 * `authenticator`: 22023 for a role that does not exist (401 in PostgREST), 42501 otherwise.
 */
export async function refuseForeignRole(
  sql: Sql,
  roleSettings: RoleSettings,
  caller: Caller,
): Promise<Response | null> {
  const role = roleOf(caller);
  if (roleSettings.has(role)) return null;
  const [exists] = await sql<{ found: boolean }[]>`
    select exists (select 1 from pg_roles where rolname = ${role}) as found`;
  if (!exists?.found) {
    return errorResponse(401, {
      code: "22023",
      message: `role "${role}" does not exist`,
      details: null,
      hint: null,
    });
  }
  return errorResponse(role === "anon" ? 401 : 403, {
    code: "42501",
    message: `permission denied to set role "${role}"`,
    details: null,
    hint: null,
  });
}
