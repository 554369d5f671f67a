// Serves the built web app (web/dist) with its runtime /config.json, as a static host would in production.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, normalize } from "node:path";
import type { ReadyInfo } from "./stack.ts";

const ROOT = join(import.meta.dir, "..", "..");
export const WEB_DIST = join(ROOT, "web", "dist");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the web app when there is no build or its sources changed since the last one. */
export async function ensureWebBuild(log: (line: string) => void = () => {}): Promise<void> {
  const built = join(WEB_DIST, "index.html");
  const sources = Math.max(
    newestMtime(join(ROOT, "web", "src")),
    newestMtime(join(ROOT, "web", "public")),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  log("building the web app (vite build)…");
  // NODE_ENV is forced: under `bun test` it is "test", which would make Vite build a non-production bundle.
  const build = Bun.spawn({
    cmd: ["npm", "run", "build", "-w", "web"],
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production" },
    stdout: "ignore",
    stderr: "inherit",
  });
  if ((await build.exited) !== 0) throw new Error("the web build failed (see above)");
}

/** What the web app reads at start (web/src/config.ts): where Supabase and Pusher are. */
export function webConfig(info: ReadyInfo) {
  return {
    supabaseUrl: info.supabaseUrl,
    anonKey: info.anonKey,
    pusher: {
      key: info.pusher.key,
      cluster: "mt1",
      wsHost: info.pusher.host,
      wsPort: info.pusher.port,
      forceTLS: false,
    },
  };
}

/** True when nothing listens on 127.0.0.1:`port` (this process can bind it itself). */
export function isPortFree(port: number): boolean {
  try {
    const probe = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
    probe.stop(true);
    return true;
  } catch {
    return false;
  }
}

export function startWebServer(options: { info: ReadyInfo; port?: number; dist?: string }) {
  const dist = options.dist ?? WEB_DIST;
  if (!existsSync(join(dist, "index.html"))) {
    throw new Error(`no web build in ${dist}: run \`npm run build -w web\` first`);
  }
  const config = JSON.stringify(webConfig(options.info));
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    fetch(request) {
      const path = decodeURIComponent(new URL(request.url).pathname);
      if (path === "/config.json") {
        return new Response(config, {
          headers: { "content-type": "application/json", "cache-control": "no-store" },
        });
      }
      const file = normalize(join(dist, path));
      if (file.startsWith(dist) && existsSync(file) && statSync(file).isFile()) {
        const headers: Record<string, string> = path === "/sw.js"
          ? { "cache-control": "no-cache" }
          : {};
        return new Response(Bun.file(file), { headers });
      }
      // A single-page app: every other path is the app itself.
      return new Response(Bun.file(join(dist, "index.html")), {
        headers: { "content-type": "text/html; charset=utf-8" },
      });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port,
    stop: () => server.stop(true),
  };
}
