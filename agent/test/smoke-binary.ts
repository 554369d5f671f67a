// Smoke test of a compiled agent binary (`bun agent/test/smoke-binary.ts dist/puente-agent-linux-x64`):
// runs `run` against the fake edge and fake Pusher server, checks it subscribes, claims a command on
// the doorbell, reports the run, and exits 0 on SIGTERM.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { AGENT_ID, AGENT_KEY, startFakeEdge } from "./fake-edge.ts";
import { startFakePusher } from "./fake-pusher.ts";

const binary = resolve(process.argv[2] ?? "dist/puente-agent-linux-x64");
const edge = startFakeEdge();
const pusher = startFakePusher();
const dir = mkdtempSync(join(tmpdir(), "puente-smoke-"));
const until = async (what: string, check: () => boolean, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`smoke: ${what} did not happen`);
    await Bun.sleep(20);
  }
  console.log(`✔ ${what}`);
};
const agent = Bun.spawn([binary, "run", "--quiet"], {
  cwd: dir,
  env: {
    PATH: process.env.PATH ?? "",
    PUENTE_API_URL: edge.url,
    PUENTE_AGENT_KEY: AGENT_KEY,
    PUENTE_AGENT_ID: AGENT_ID,
    PUSHER_APP_KEY: "app-key",
    PUSHER_HOST: "127.0.0.1",
    PUSHER_PORT: String(pusher.port),
    PUSHER_USE_TLS: "false",
    PUENTE_STATE_DIR: join(dir, "state"),
    PUENTE_LOG_DIR: join(dir, "logs"),
  },
  stdout: "inherit",
  stderr: "inherit",
});
let code = 1;
try {
  await until(
    "subscribed to its private channel",
    () => pusher.subscribers(`private-agent-${AGENT_ID}`) === 1,
  );
  await until("sent a heartbeat", () => edge.heartbeats.length > 0);
  edge.pending.push({
    id: crypto.randomUUID(),
    requestId: crypto.randomUUID(),
    agentId: AGENT_ID,
    source: "wispro",
    action: "start",
    params: { mode: "full" },
    scheduled: false,
    createdAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
  });
  pusher.send(`private-agent-${AGENT_ID}`, "command.available", { commandId: crypto.randomUUID() });
  await until(
    "claimed the command on the doorbell and finished its run (no Wispro configured)",
    () =>
      [...edge.runs.values()].some((r) =>
        r.status === "failed" && r.error?.code === "source_unavailable"
      ),
  );
  agent.kill("SIGTERM");
  code = await agent.exited;
  console.log(code === 0 ? "✔ exited 0 on SIGTERM" : `✘ exited ${code}`);
} finally {
  agent.kill();
  await edge.stop();
  await pusher.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
