// Runs the `sync` edge function under Deno as a child process (what `supabase functions serve` does for
// hosted projects) and waits until /sync/health answers.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ChildStartFailed, diedBeforeReady, drainInto, OutputTail } from "../child.ts";

export const REPO_ROOT = join(import.meta.dir, "..", "..", "..");
const EDGE_ENTRY = "edge/sync/index.ts";
/**
 * The repository's deno.json, not edge/sync/deno.json (the import map `supabase functions deploy`
 * bundles): its `"nodeModulesDir": "manual"` resolves hono, zod, pusher and supabase-js from the
 * node_modules that `npm install` filled, so the edge starts offline with an empty Deno cache.
 */
const DENO_CONFIG = join(REPO_ROOT, "deno.json");

/** The edge function died, or never answered, before /sync/health; the message quotes its output. */
export class EdgeStartFailed extends ChildStartFailed {
  override name = "EdgeStartFailed";
}

export interface EdgeOptions {
  /** The function's environment (SUPABASE_URL, keys, PUENTE_JWT_SECRET, PUSHER_*, ...). */
  env: Record<string, string>;
  port: number;
  /** How long to wait for /sync/health (default 60 s: the first run compiles). */
  readyTimeoutMs?: number;
  /** Where the function's stdout/stderr go (default: inherited); "capture" keeps them for output(). */
  output?: "inherit" | "ignore" | "capture";
}

export interface EdgeProcess {
  /** e.g. http://127.0.0.1:54329 — the function answers under `${url}/sync/...`. */
  url: string;
  pid: number;
  /** What the function printed on stdout and stderr so far (empty unless started with "capture"). */
  output(): string;
  stop(): Promise<void>;
}

function denoCommand(): string[] {
  const local = join(REPO_ROOT, "node_modules", ".bin", "deno");
  return existsSync(local) ? [local] : ["npx", "deno"];
}

export async function startEdge(options: EdgeOptions): Promise<EdgeProcess> {
  const url = `http://127.0.0.1:${options.port}`;
  const child = Bun.spawn({
    cmd: [
      ...denoCommand(),
      "run",
      "--config",
      DENO_CONFIG,
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-sys",
      EDGE_ENTRY,
    ],
    cwd: REPO_ROOT,
    // The parent's whole environment (proxy and certificate settings included), plus the function's.
    env: {
      ...process.env,
      RUST_BACKTRACE: "0",
      NO_COLOR: "1",
      ...options.env,
      PORT: String(options.port),
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  // The output is always read, so a function that dies at start can be quoted; "inherit" forwards it.
  const tail = new OutputTail(20);
  let captured = "";
  const forward = (sink: NodeJS.WriteStream) => (text: string) => {
    if (options.output === "capture") captured += text;
    else if (options.output !== "ignore") sink.write(text);
  };
  const drained = Promise.all([
    drainInto(child.stdout, tail, forward(process.stdout)),
    drainInto(child.stderr, tail, forward(process.stderr)),
  ]);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const exited = await Promise.race([
        child.exited.then(() => true),
        Bun.sleep(3000).then(() => false),
      ]);
      if (!exited) {
        child.kill("SIGKILL");
        await child.exited;
      }
    }
    await drained;
  };
  const what = `the edge function (deno run ${EDGE_ENTRY}, pid ${child.pid})`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await drained;
      throw new EdgeStartFailed(diedBeforeReady(what, child, tail));
    }
    try {
      await fetch(`${url}/sync/health`, { signal: AbortSignal.timeout(2000) });
      return { url, pid: child.pid, output: () => captured, stop };
    } catch {
      await Bun.sleep(150);
    }
  }
  await stop();
  throw new EdgeStartFailed(`${what} did not answer ${url}/sync/health in time; ${tail.quote()}`);
}
