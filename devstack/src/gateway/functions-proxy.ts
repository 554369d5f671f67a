// `/functions/v1/:name/*` → the edge server: method, headers, body stream, status and Content-Type pass
// through untouched, as Supabase's gateway does.

const HOP_BY_HOP = ["connection", "keep-alive", "transfer-encoding", "upgrade", "host"];

export async function proxyToFunctions(
  request: Request,
  upstream: string,
  pathAfterV1: string,
): Promise<Response> {
  const source = new URL(request.url);
  const target = new URL(`${upstream.replace(/\/$/, "")}${pathAfterV1}${source.search}`);
  const headers = new Headers(request.headers);
  for (const name of HOP_BY_HOP) headers.delete(name);
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  let upstreamResponse: Response;
  try {
    upstreamResponse = await fetch(target, {
      method: request.method,
      headers,
      body: hasBody ? request.body : undefined,
      redirect: "manual",
      // Bun would otherwise inflate a gzip answer while keeping its Content-Encoding header.
      decompress: false,
      ...(hasBody ? { duplex: "half" } : {}),
    } as RequestInit);
  } catch (error) {
    return Response.json(
      { code: "function_unreachable", message: `edge function upstream failed: ${String(error)}` },
      { status: 502 },
    );
  }
  const responseHeaders = new Headers(upstreamResponse.headers);
  for (const name of HOP_BY_HOP) responseHeaders.delete(name);
  return new Response(upstreamResponse.body, {
    status: upstreamResponse.status,
    statusText: upstreamResponse.statusText,
    headers: responseHeaders,
  });
}
