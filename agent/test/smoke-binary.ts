// Smoke test of a compiled agent binary against a booted devstack (`bun agent/test/smoke-binary.ts
// dist/puente-agent-linux-x64`; `npm run build:agent` runs it after the Linux build): `version`, then
// `doctor` with every check passing against the real stand-ins (SQL Server login, API and key, Pusher,
// clock), then `run`: it claims a command sent through the edge as the panel sends it, syncs FerraWin
// into Postgres, and exits 0 on SIGTERM. Exits non-zero at the first step that fails.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import postgres from "postgres";
import { agentEnv, startStack } from "../../devstack/src/stack.ts";
import { killWhenOwnerExits } from "../../devstack/src/process-guard.ts";
import { inheritedEnv } from "../../devstack/src/agent-process.ts";
import { postCommand, signInAs } from "../../devstack/src/web-calls.ts";

const binary = resolve(process.argv[2] ?? "dist/puente-agent-linux-x64");
const home = mkdtempSync(join(tmpdir(), "puente-smoke-"));

function step(ok: boolean, what: string, detail = ""): void {
  console.log(`${ok ? "✔" : "✘"} ${what}`);
  if (!ok) throw new Error(`smoke: ${what} failed${detail ? `\n${detail}` : ""}`);
}

console.log(`smoke: ${binary} against a devstack`);
const stack = await startStack({ planillas: 20, wisproClients: 10 });
const sql = postgres(stack.info.dbUrl, { max: 1, onnotice: () => {} });
const env = inheritedEnv({
  ...agentEnv(stack.info),
  PUENTE_STATE_DIR: join(home, "state"),
  PUENTE_LOG_DIR: join(home, "logs"),
});
let daemon: ReturnType<typeof Bun.spawn> | null = null;

/** Runs the binary to its end without blocking this process, which serves the stand-ins. */
async function runBinary(...args: string[]) {
  const child = Bun.spawn([binary, ...args], { cwd: home, env, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { out, err, code };
}
let code = 1;
try {
  const version = await runBinary("version");
  step(
    version.code === 0 && /^puente-agent \d+\.\d+\.\d+/.test(version.out),
    `version: ${version.out.trim()}`,
    version.err,
  );

  const doctor = await runBinary("doctor");
  const report = doctor.out + doctor.err;
  step(
    doctor.code === 0 && !report.includes("✘"),
    "doctor: every check passes against the devstack",
    report,
  );

  let output = "";
  const child = Bun.spawn([binary, "run"], { cwd: home, env, stdout: "pipe", stderr: "pipe" });
  daemon = child;
  killWhenOwnerExits(child.pid);
  for (const stream of [child.stdout, child.stderr]) {
    void (async () => {
      const decoder = new TextDecoder();
      const reader = (stream as ReadableStream<Uint8Array>).getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        output += decoder.decode(read.value, { stream: true });
      }
    })();
  }
  const until = async (what: string, check: () => boolean | Promise<boolean>, ms = 30_000) => {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) step(false, what, output.slice(-3000));
      await Bun.sleep(50);
    }
    step(true, what);
  };
  await until("run: connected to Pusher", () => output.includes("→ connected"));

  const token = await signInAs(stack.info, "admin");
  const sent = await postCommand(stack.info, token, {
    source: "ferrawin",
    action: "start",
    params: { mode: "all" },
  });
  const { commandId } = await sent.json() as { commandId: string };
  step(sent.status === 201, `a sync command sent through the edge (${sent.status})`);
  await until("run: claimed it on the doorbell and completed a FerraWin sync", async () => {
    const [run] = await sql<{ status: string }[]>`
      select status from public.runs where command_id = ${commandId}`;
    return run?.status === "completed";
  });
  const [landed] = await sql<{ planillas: number }[]>`
    select count(*)::int as planillas from public.planillas`;
  step((landed?.planillas ?? 0) > 0, `${landed?.planillas} planillas landed in Postgres`);

  child.kill("SIGTERM");
  const exit = await child.exited;
  step(exit === 0, `run: exited ${exit} on SIGTERM`);
  code = 0;
} catch (error) {
  console.error((error as Error).message);
} finally {
  daemon?.kill();
  await sql.end();
  await stack.stop();
  rmSync(home, { recursive: true, force: true });
}
process.exit(code);
