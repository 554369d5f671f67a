// The transaction-local settings PostgREST sets before running a request: the role from the JWT, the
// claims, method, path and headers, and that role's settings (role-settings.ts).
import type { JwtClaims } from "../jwt.ts";
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
