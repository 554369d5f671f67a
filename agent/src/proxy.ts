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

/** A fetch for ky that goes through `proxy`; undefined (ky's default fetch) without one. */
export function fetchThrough(proxy: string | null): typeof fetch | undefined {
  if (!proxy) return undefined;
  const proxied = (input: RequestInfo | URL, init?: RequestInit) =>
    fetch(input, { ...init, proxy } as RequestInit);
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
export function routePusherThroughProxy(proxy: string | null): () => void {
  if (!proxy) return () => {};
  const runtime = (Pusher as unknown as { Runtime: PusherRuntime }).Runtime;
  const original = runtime.createWebSocket;
  const Client = runtime.getWebSocketAPI();
  runtime.createWebSocket = (url: string) => new Client(url, [], { proxy: { origin: proxy } });
  return () => {
    runtime.createWebSocket = original;
  };
}
