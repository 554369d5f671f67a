// The panel's Content-Security-Policy, written into the built index.html by vite.config.ts (the dev
// server injects styles inline, so only the build carries it). Scripts and styles come only from the
// app's own origin: no inline script, no eval, no plugin, no <base> rewrite. Connections go to the
// Supabase and Pusher hosts named in the runtime /config.json, which a build cannot know, so any https
// or wss host is allowed, plus plain http/ws on loopback for the local stand-ins (a page on the
// Internet cannot reach another machine that way). A static host should send the same policy as an
// HTTP header and add `frame-ancestors 'none'`, which a <meta> policy cannot carry.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' https: wss: http://127.0.0.1:* ws://127.0.0.1:* http://localhost:* ws://localhost:*",
  "manifest-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");
