// Vite build of the web panel and PWA: a static bundle in web/dist that reads /config.json at runtime.
import { defineConfig, type Plugin } from "vite";
import solid from "vite-plugin-solid";
import { CONTENT_SECURITY_POLICY } from "./src/csp.ts";

/** Puts the CSP in the built index.html, first in <head> so it governs everything after it. */
const contentSecurityPolicy = (): Plugin => ({
  name: "puente-csp",
  apply: "build",
  transformIndexHtml: () => [{
    tag: "meta",
    attrs: { "http-equiv": "Content-Security-Policy", content: CONTENT_SECURITY_POLICY },
    injectTo: "head-prepend",
  }],
});

export default defineConfig({
  root: import.meta.dirname,
  plugins: [solid(), contentSecurityPolicy()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
  },
  server: { host: "127.0.0.1" },
});
