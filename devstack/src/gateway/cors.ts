// CORS the way Supabase's gateway answers it, so browsers running supabase-js reach every route.
export const CORS_HEADERS: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
  "Access-Control-Allow-Headers":
    "authorization, apikey, x-client-info, content-type, x-supabase-api-version, content-profile, accept-profile, prefer, x-retry-count, x-agent-key, x-request-id, content-encoding",
  "Access-Control-Expose-Headers": "X-Supabase-Api-Version, Content-Range, X-Request-Id",
  "Access-Control-Max-Age": "86400",
};

export function preflight(): Response {
  return new Response(null, { status: 204, headers: CORS_HEADERS });
}

/** Adds the CORS headers to a response in place (bodies are streams; copying would buffer them). */
export function withCors(response: Response): Response {
  for (const [name, value] of Object.entries(CORS_HEADERS)) {
    if (!response.headers.has(name)) response.headers.set(name, value);
  }
  return response;
}
