// Vite build of the web panel and PWA: a static bundle in web/dist that reads /config.json at runtime.
import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

export default defineConfig({
  root: import.meta.dirname,
  plugins: [solid()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
  },
  server: { host: "127.0.0.1" },
});
