// CORS the way Supabase's gateway answers it for `/rest/v1` and `/auth/v1`, so browsers running
// supabase-js reach them. `/functions/v1` is not covered: there the function answers its own CORS.
export const CORS_HEADERS: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
  "Access-Control-Allow-Headers":
    "authorization, apikey, x-client-info, content-type, x-supabase-api-version, content-profile, accept-profile, prefer, x-retry-count",
  "Access-Control-Expose-Headers": "X-Supabase-Api-Version, Content-Range",
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
