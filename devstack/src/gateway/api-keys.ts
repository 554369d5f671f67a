// API keys at the gateway, as Supabase's API gateway treats them for `/rest/v1` and `/auth/v1`: an
// `apikey` (header or query parameter) is required and must be one of the project's keys; a publishable
// key stands for `anon` and a secret key for `service_role`. Those keys are not JWTs, so when one is
// also the bearer (supabase-js sends it there when nobody is signed in), the gateway hands upstream a
// short-lived JWT of the key's role instead. A user's JWT as bearer passes through untouched. A secret
// key from a browser (told by its User-Agent, as Supabase tells it) is refused: it must never be there.
import type { ProjectKeys } from "./jwt.ts";

function refusal(message: string, hint: string): Response {
  return Response.json({ message, hint }, { status: 401 });
}

export function resolveApiKey(request: Request, keys: ProjectKeys): Request | Response {
  const apikey = request.headers.get("apikey") ?? new URL(request.url).searchParams.get("apikey");
  if (!apikey) {
    return refusal(
      "No API key found in request",
      "No `apikey` request header or url param was found.",
    );
  }
  const role = keys.apiKeyRole(apikey);
  if (!role) {
    return refusal(
      "Invalid API key",
      "Double check your Supabase `anon` or `service_role` API key.",
    );
  }
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  const bearerRole = bearer ? keys.apiKeyRole(bearer) : null;
  const isSecretKey = (key: string | undefined) => key?.startsWith("sb_secret_") === true;
  const fromBrowser = /^Mozilla\//.test(request.headers.get("user-agent") ?? "");
  if (fromBrowser && (isSecretKey(apikey) || (bearerRole !== null && isSecretKey(bearer)))) {
    return refusal(
      "Forbidden use of secret API key in browser",
      "Secret API keys can only be used in a protected environment; use the publishable key.",
    );
  }
  if (bearer && !bearerRole) return request;
  const headers = new Headers(request.headers);
  const keyRole = bearerRole ?? role;
  // A legacy key is itself a JWT of its role; a new key is swapped for one.
  const token = bearer && bearer.startsWith("ey")
    ? bearer
    : !bearer && apikey.startsWith("ey")
    ? apikey
    : keys.roleToken(keyRole);
  headers.set("authorization", `Bearer ${token}`);
  return new Request(request, { headers });
}
