// The office's proxy, for every outbound connection: HTTPS to the API and Wispro (Bun's fetch takes a
// `proxy`), and the Pusher WebSocket (pusher-js's Node transport, faye-websocket, tunnels through it
// with CONNECT when told to; pusher-js itself has no proxy setting). PUENTE_PROXY wins, else the
// standard HTTPS_PROXY / HTTP_PROXY: a service running as SYSTEM does not see a user's settings, so
// the .env is the place for it.
import Pusher from "pusher-js";

/** The proxy to use: PUENTE_PROXY, else HTTPS_PROXY, https_proxy, HTTP_PROXY, http_proxy; or null. */
export function proxyFrom(
  explicit: string | undefined,
  env: Record<string, string | undefined>,
): string | null {
  return explicit || env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy ||
    null;
}

/** NO_PROXY (or no_proxy): the hosts that are reached directly, as curl reads it. */
export function noProxyFrom(env: Record<string, string | undefined> = process.env): string[] {
  return (env.NO_PROXY ?? env.no_proxy ?? "").split(",").map((e) => e.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * True when `url`'s host is in NO_PROXY: `*` matches everything, `example.com` and `.example.com`
 * match it and its subdomains, an address matches itself (a `:port` on an entry is ignored, and
 * `[::1]` is `::1`).
 */
export function bypassesProxy(url: string, noProxy: string[]): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, "");
  } catch {
    return false;
  }
  return noProxy.some((raw) => {
    if (raw === "*") return true;
    const entry = raw.replace(/^\[|\](:\d+)?$/g, "").replace(/^([^:]+):\d+$/, "$1").replace(
      /^\./,
      "",
    );
    return host === entry || host.endsWith(`.${entry}`);
  });
}

/**
 * A fetch for ky that goes through `proxy`, except to hosts NO_PROXY names; undefined (ky's default
 * fetch) without a proxy.
 */
export function fetchThrough(
  proxy: string | null,
  noProxy: string[] = [],
): typeof fetch | undefined {
  if (!proxy) return undefined;
  const proxied = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    return bypassesProxy(url, noProxy)
      ? fetch(input, init)
      : fetch(input, { ...init, proxy } as RequestInit);
  };
  return Object.assign(proxied, { preconnect: fetch.preconnect }) as typeof fetch;
}

interface PusherRuntime {
  getWebSocketAPI(): new (url: string, protocols: string[], options: object) => unknown;
  createWebSocket(url: string): unknown;
}

/**
 * Makes every pusher-js WebSocket in this process go through `proxy` (CONNECT); returns the function
 * that puts pusher-js's own back.
 */
export function routePusherThroughProxy(
  proxy: string | null,
  noProxy: string[] = [],
): () => void {
  if (!proxy) return () => {};
  const runtime = (Pusher as unknown as { Runtime: PusherRuntime }).Runtime;
  const original = runtime.createWebSocket;
  const Client = runtime.getWebSocketAPI();
  runtime.createWebSocket = (url: string) =>
    bypassesProxy(url, noProxy)
      ? original.call(runtime, url)
      : new Client(url, [], { proxy: { origin: proxy } });
  return () => {
    runtime.createWebSocket = original;
  };
}
