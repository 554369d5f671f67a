// Which schema a request addresses, as PostgREST decides it: `Accept-Profile` for GET and HEAD,
// `Content-Profile` for the rest, the first exposed schema when absent, and 406 PGRST106 for a schema
// the API does not expose (src/PostgREST/ApiRequest.hs and Error.hs, UnacceptableSchema).
import { errorResponse } from "./errors.ts";

/** Supabase's default `[api] schemas` (supabase/config.toml). */
export const SUPABASE_EXPOSED_SCHEMAS = ["public", "graphql_public"];

export function schemaOf(request: Request, exposed: readonly string[]): string | Response {
  const header = request.method === "GET" || request.method === "HEAD"
    ? "accept-profile"
    : "content-profile";
  const asked = request.headers.get(header);
  if (asked === null) return exposed[0]!;
  if (exposed.includes(asked)) return asked;
  return errorResponse(406, {
    code: "PGRST106",
    message: `Invalid schema: ${asked}`,
    details: null,
    hint: `Only the following schemas are exposed: ${exposed.join(", ")}`,
  });
}
