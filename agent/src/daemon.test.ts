import { afterAll, afterEach, beforeAll, describe, expect, spyOn, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDaemon } from "./daemon.ts";
import { lockPath, runStatePath } from "./paths.ts";
import { loadConfig } from "./config.ts";
import { Logger } from "./status/log.ts";
import { RunStateStore } from "./run-state.ts";
import { createEdgeClient } from "./sink/edge-client.ts";
import { requestStop, stopRequestPath } from "./stop-request.ts";
import { collectStatus, statusCommand } from "./cli/status.ts";
import { setCliLang } from "./i18n/i18n.ts";
import { AGENT_ID, AGENT_KEY, type FakeEdge, startFakeEdge } from "../test/fake-edge.ts";
import { waitFor } from "../test/wait-for.ts";

let edge: FakeEdge;
let dir: string;
beforeAll(() => {
  edge = startFakeEdge();
  dir = mkdtempSync(join(tmpdir(), "puente-daemon-"));
});
afterAll(async () => {
  await edge.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => edge.reset());

const configFor = (name: string) =>
  loadConfig({
    env: {
      PUENTE_API_URL: edge.url,
      PUENTE_AGENT_KEY: AGENT_KEY,
      PUENTE_STATE_DIR: join(dir, name, "state"),
      PUENTE_LOG_DIR: join(dir, name, "logs"),
    },
    envFile: null,
  });

describe("daemon", () => {
  test("claims at startup, runs the command, heartbeats, and stops cleanly", async () => {
    const config = configFor("a");
    edge.pending.push({
      id: crypto.randomUUID(),
      requestId: crypto.randomUUID(),
      agentId: AGENT_ID,
      source: "ferrawin",
      action: "start",
      params: { mode: "incremental" },
      scheduled: false,
      createdAt: new Date().toISOString(),
      expiresAt: new Date().toISOString(),
    });
    const stop = new AbortController();
    const exit = runDaemon(config, new Logger({ dir: config.logDir }), stop.signal);
    await waitFor(() => [...edge.runs.values()].some((r) => r.status === "failed"));
    expect(existsSync(lockPath(config))).toBe(true);
    const [run] = [...edge.runs.values()];
    // This agent has no FerraWin configured: the run says so instead of hanging.
    expect(run!.error).toMatchObject({ code: "source_unavailable" });
    expect(run!.error!.message).toContain("FERRAWIN_HOST");
    expect(edge.heartbeats.length).toBeGreaterThanOrEqual(1);
    stop.abort();
    expect(await exit).toBe(0);
    expect(existsSync(lockPath(config))).toBe(false);
  });

  test("resumes its own run that a crash left running", async () => {
    const config = configFor("b");
    const run = await createEdgeClient({ baseUrl: edge.url, agentKey: AGENT_KEY }).openRun({
      source: "wispro",
      params: { mode: "full" },
    });
    new RunStateStore(runStatePath(config)).save({
      runId: run.id,
      source: "wispro",
      params: { mode: "full" },
      status: "running",
      lastSeq: 4,
    });
    const stop = new AbortController();
    const exit = runDaemon(config, new Logger({ dir: null }), stop.signal);
    await waitFor(() => edge.runs.get(run.id)!.status === "failed");
    const reopen = edge.requests.filter((r) => r.path === "/agent/runs").at(-1);
    expect(reopen!.body).toMatchObject({ resumeRunId: run.id });
    stop.abort();
    expect(await exit).toBe(0);
  });

  test("a stop request (Windows' graceful stop) stops it in order, and a stale one does not", async () => {
    const config = configFor("stop");
    // Left by an earlier stop: the agent that starts now must not obey it.
    requestStop(stopRequestPath(config.stateDir));
    const exit = runDaemon(config, new Logger({ dir: null }), new AbortController().signal);
    await waitFor(() => edge.heartbeats.length >= 1);
    await Bun.sleep(1500);
    expect(existsSync(lockPath(config))).toBe(true);
    requestStop(stopRequestPath(config.stateDir));
    expect(await exit).toBe(0);
    expect(existsSync(lockPath(config))).toBe(false);
    expect(existsSync(stopRequestPath(config.stateDir))).toBe(false);
  });

  test("a refused key stops the agent with the exit code systemd will not restart", async () => {
    const config = loadConfig({
      env: {
        PUENTE_API_URL: edge.url,
        PUENTE_AGENT_KEY: "pk_revoked_000000000000000",
        PUENTE_STATE_DIR: join(dir, "c"),
        PUENTE_LOG_DIR: join(dir, "c"),
      },
      envFile: null,
    });
    const exit = await runDaemon(config, new Logger({ dir: null }), new AbortController().signal);
    expect(exit).toBe(78);
  });

  test("an API that no longer speaks its protocol (426) stops it, and status says to update it", async () => {
    const config = configFor("outdated");
    edge.fault = () => ({
      status: 426,
      body: {
        error: {
          code: "protocol_unsupported",
          message: "this API speaks protocol v2 and no longer v1: update the agent",
        },
      },
    });
    const exit = await runDaemon(config, new Logger({ dir: null }), new AbortController().signal);
    expect(exit).toBe(1);
    const status = collectStatus(config);
    expect(status.updateNeeded?.message).toContain("update the agent");
    // `status` says it in the person's language, with what the API said.
    const printed: string[] = [];
    const print = spyOn(console, "log").mockImplementation((line: unknown) => {
      printed.push(String(line));
    });
    setCliLang("es");
    try {
      statusCommand(config, { json: false });
    } finally {
      print.mockRestore();
      setCliLang(null);
    }
    expect(printed).toContainEqual(expect.stringContaining(
      "ACTUALIZA EL AGENTE: la API no habla el protocolo de este agente (this API speaks protocol " +
        "v2 and no longer v1: update the agent); descarga el ejecutable",
    ));
  });
});
