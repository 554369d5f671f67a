// The devstack's Postgres on a machine without PostgreSQL binaries: PGlite (PostgreSQL 18 in
// WebAssembly, an npm package) served by a child process per database (pglite-main.ts), reachable
// by a postgres:// URL like the system cluster. Slower, and one statement at a time.
import { join } from "node:path";
import { ChildStartFailed, diedBeforeReady, drainInto, OutputTail } from "../child.ts";

const MAIN = join(import.meta.dir, "pglite-main.ts");

export interface PgliteDatabase {
  url: string;
  port: number;
  version: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts one empty PGlite database in a child process and waits for its listening line. */
export async function startPgliteDatabase(
  name = "postgres",
  options: { readyTimeoutMs?: number } = {},
): Promise<PgliteDatabase> {
  const child = Bun.spawn({
    cmd: [process.execPath, MAIN],
    env: { ...process.env, PUENTE_PGLITE_OWNER: String(process.pid) },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const tail = new OutputTail(20);
  const what = `the PGlite server for database "${name}" (pid ${child.pid})`;
  let resolveListening: (line: { port: number; version: string }) => void = () => {};
  const listening = new Promise<{ port: number; version: string }>((r) => (resolveListening = r));
  let seen = "";
  const drained = Promise.all([
    drainInto(child.stdout, tail, (text) => {
      seen += text;
      const line = /^\{"listening":true.*$/m.exec(seen)?.[0];
      if (line) resolveListening(JSON.parse(line));
    }),
    drainInto(child.stderr, tail, (text) => process.stderr.write(text)),
  ]);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const exited = await Promise.race([
        child.exited.then(() => true),
        Bun.sleep(5000).then(() => false),
      ]);
      if (!exited) child.kill("SIGKILL");
      await child.exited;
    }
    await drained;
  };
  const timeoutMs = options.readyTimeoutMs ?? 120_000;
  const outcome = await Promise.race([
    listening,
    child.exited.then(() => "exited" as const),
    Bun.sleep(timeoutMs).then(() => "timeout" as const),
  ]);
  if (outcome === "exited") {
    await drained;
    throw new ChildStartFailed(diedBeforeReady(what, child, tail));
  }
  if (outcome === "timeout") {
    await stop();
    throw new ChildStartFailed(`${what} did not listen within ${timeoutMs} ms; ${tail.quote()}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${outcome.port}/${name}`,
    port: outcome.port,
    version: outcome.version,
    pid: child.pid,
    stop,
  };
}
