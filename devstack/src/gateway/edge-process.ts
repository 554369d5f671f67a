// Runs the `sync` edge function under Deno as a child process (what `supabase functions serve` does for
// hosted projects) and waits until /sync/health answers.
import { existsSync } from "node:fs";
import { join } from "node:path";

export const REPO_ROOT = join(import.meta.dir, "..", "..", "..");
const EDGE_ENTRY = "edge/sync/index.ts";

export class EdgeStartFailed extends Error {
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
  const stdio = options.output === "capture" ? "pipe" : options.output ?? "inherit";
  const child = Bun.spawn({
    cmd: [
      ...denoCommand(),
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-sys",
      EDGE_ENTRY,
    ],
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      RUST_BACKTRACE: "0",
      NO_COLOR: "1",
      ...options.env,
      PORT: String(options.port),
    },
    stdin: "ignore",
    stdout: stdio,
    stderr: stdio,
  });
  let output = "";
  const drain = async (stream: ReadableStream<Uint8Array> | number | undefined) => {
    if (!(stream instanceof ReadableStream)) return;
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      output += decoder.decode(read.value, { stream: true });
    }
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
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
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new EdgeStartFailed(
        `the edge function exited with code ${child.exitCode} before answering; check its environment (${
          options.output === "capture" ? `its output: ${output}` : "see the output above"
        })`,
      );
    }
    try {
      await fetch(`${url}/sync/health`, { signal: AbortSignal.timeout(2000) });
      return { url, pid: child.pid, output: () => output, stop };
    } catch {
      await Bun.sleep(150);
    }
  }
  await stop();
  throw new EdgeStartFailed(`the edge function did not answer ${url}/sync/health in time`);
}
