// Puente's service worker: keeps the app shell (HTML, hashed JS/CSS, icons) so the PWA opens offline and can
// show its offline screen. API calls (Supabase, edge, Pusher) are never cached: live data must be live.
const CACHE = "puente-shell-v1";
const SHELL = [
  "/",
  "/index.html",
  "/manifest.webmanifest",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
];

async function precache() {
  const cache = await caches.open(CACHE);
  await cache.addAll(SHELL);
  // The built JS/CSS have hashed names: read them from the page so they are cached up front too.
  const html = await (await fetch("/index.html", { cache: "no-store" })).text();
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  await cache.addAll(assets);
  // The deployment's runtime config, so the app can start offline; a host without one still installs.
  await cache.add("/config.json").catch(() => {});
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request, fallbackUrl) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(fallbackUrl ?? request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(fallbackUrl ?? request);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (
    url.pathname.startsWith("/rest/") || url.pathname.startsWith("/auth/") ||
    url.pathname.startsWith("/functions/")
  ) return;
  if (url.searchParams.has("probe")) return;
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request, "/index.html"));
  } else if (url.pathname === "/config.json") {
    event.respondWith(networkFirst(request));
  } else if (url.pathname.startsWith("/assets/") || url.pathname.startsWith("/icons/")) {
    event.respondWith(cacheFirst(request));
  }
});
