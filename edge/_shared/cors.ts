// CORS for the web panel and the PWA: answers preflight itself (the platform does not) and allows the
// headers supabase-js and the agent send.
import { cors } from "hono/cors";

export const ALLOWED_HEADERS = [
  "authorization",
  "x-client-info",
  "apikey",
  "content-type",
  "content-encoding",
  "x-agent-key",
  "x-request-id",
];

export function corsFor(origins: string[]) {
  const anyOrigin = origins.includes("*");
  return cors({
    origin: anyOrigin ? "*" : (origin) => (origins.includes(origin) ? origin : null),
    allowMethods: ["GET", "POST", "OPTIONS"],
    allowHeaders: ALLOWED_HEADERS,
    exposeHeaders: ["x-request-id"],
    maxAge: 86400,
  });
}
