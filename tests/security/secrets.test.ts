// Secrets never leak: a successful sync and failing ones (wrong SQL password, wrong agent key, wrong
// Wispro token) are run with the agent from source against an edge function whose output is captured;
// then the agent's stdout/stderr and log files, `doctor` and `status`, the edge's log lines, every
// table (run events, errors, commands) and the API answers are searched for every configured secret.
import { beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import { agentSpawnOptions, newAgentHome } from "../../devstack/src/agent-process.ts";
import { type EdgeProcess, startEdge } from "../../devstack/src/gateway/edge-process.ts";
import { freePort } from "../../devstack/src/postgres/system-cluster.ts";
import {
  callEdge,
  callRpc,
  channelAuth,
  connectDb,
  RawPusherClient,
  type ReadyInfo,
  useStackWithPeople,
  uuid,
} from "./support.ts";

let edge: EdgeProcess;
/** Everything a person or an attacker could read afterwards, by where it came from. */
const captured: Record<string, string> = {};

/** The sync function under Deno with the stack's environment, its stdout and stderr kept. */
async function startCapturedEdge(info: ReadyInfo) {
  const edge = await startEdge({
    port: await freePort(),
    output: "capture",
    env: {
      SUPABASE_URL: info.supabaseUrl,
      SUPABASE_ANON_KEY: info.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: info.serviceRoleKey,
      PUENTE_JWT_SECRET: info.jwtSecret,
      PUSHER_APP_ID: info.pusher.appId,
      PUSHER_KEY: info.pusher.key,
      PUSHER_SECRET: info.pusher.secret,
      PUSHER_HOST: info.pusher.host,
      PUSHER_PORT: String(info.pusher.port),
      PUSHER_USE_TLS: "false",
      PUENTE_WEB_ORIGIN: "*",
    },
  });
  return { ...edge, url: `${edge.url}/sync` };
}

/** Runs `puente-agent <args>` from source against the captured edge; returns its exit code. */
async function agent(
  label: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<number> {
  const home = newAgentHome();
  const child = Bun.spawn({
    ...agentSpawnOptions(booted.stack.info, args, home, { PUENTE_API_URL: edge.url, ...env }),
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const [code, out, err] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]).finally(() => clearTimeout(timer));
  captured[`agent ${label} stdout`] = out;
  captured[`agent ${label} stderr`] = err;
  captureAgentFiles(label, home);
  return code;
}

interface SocketRow {
  protocol: string;
  remotePort: string;
  /** /proc/net state: 01 established, 0A listen (TCP); 07 unconnected (UDP). */
  state: string;
}

/** The process's sockets, matched by inode between /proc/<pid>/fd and /proc/net/{tcp,udp}{,6}. */
function socketsOf(pid: number): SocketRow[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // the descriptor closed meanwhile
    }
  }
  return ["tcp", "tcp6", "udp", "udp6"].flatMap((protocol) =>
    readFileSync(`/proc/${pid}/net/${protocol}`, "utf8").split("\n").slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f.length > 9 && inodes.has(f[9]!))
      .map((f) => ({ protocol, remotePort: f[2]!.split(":")[1]!, state: f[3]! }))
  );
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every file the agent wrote under its `home` (logs, state), kept as a capture. */
function captureAgentFiles(label: string, home: string) {
  for (const file of filesUnder(home)) {
    captured[`agent ${label} file ${file.slice(home.length)}`] = readFileSync(file, "utf8");
  }
}

/** This process's console (the gateway and the Pusher server run in it), kept while the tests run. */
let consoleOutput = "";
const originalConsole = { log: console.log, error: console.error, warn: console.warn };
function keepConsole() {
  for (const name of ["log", "error", "warn"] as const) {
    console[name] = (...args: unknown[]) => {
      consoleOutput += `${args.map(String).join(" ")}\n`;
      originalConsole[name](...args);
    };
  }
}

beforeAll(keepConsole);

const booted = useStackWithPeople({
  ready: async () => {
    edge = await startCapturedEdge(booted.stack.info);
  },
  beforeStop: async () => {
    Object.assign(console, originalConsole);
    await edge?.stop();
  },
});

describe("secrets never appear in logs, errors, run events or API answers", () => {
  const wrong = {
    sqlPassword: `wrong-sql-${uuid()}`,
    agentKey: `pk_${uuid().replaceAll("-", "")}${uuid().replaceAll("-", "")}`,
    wisproToken: `wrong-wispro-${uuid()}`,
  };

  test("a sync, failing syncs, doctor and status, with every output captured", async () => {
    // Someone watching the live feed (as the panel does) hears every event these runs cause.
    const watcher = await RawPusherClient.connect(booted.stack.info);
    for (const channel of ["private-sync-status", "presence-agents"]) {
      const signed = await channelAuth(
        booted.stack.info,
        { token: booted.people.staff },
        watcher.socketId,
        channel,
      );
      expect(await watcher.subscribe(channel, signed.auth, signed.channelData)).toBe(true);
    }
    try {
      await runEverything();
    } finally {
      watcher.close();
      captured["pusher frames seen by the panel"] = watcher.received.join("\n");
    }
    expect(captured["pusher frames seen by the panel"]).toContain("run.finished");
  }, 120_000);

  async function runEverything() {
    expect(await agent("sync ferrawin", ["sync", "ferrawin", "--mode", "all"])).toBe(0);
    expect(await agent("sync wispro", ["sync", "wispro"])).toBe(0);
    expect(
      await agent("wrong SQL password", ["sync", "ferrawin", "--mode", "all"], {
        FERRAWIN_PASSWORD: wrong.sqlPassword,
      }),
    ).not.toBe(0);
    expect(
      await agent("wrong agent key", ["sync", "ferrawin", "--mode", "all"], {
        PUENTE_AGENT_KEY: wrong.agentKey,
      }),
    ).not.toBe(0);
    expect(
      await agent("wrong Wispro token", ["sync", "wispro"], {
        WISPRO_API_TOKEN: wrong.wisproToken,
      }),
    ).not.toBe(0);
    await agent("doctor", ["doctor"]);
    await agent("doctor, wrong password", ["doctor"], { FERRAWIN_PASSWORD: wrong.sqlPassword });
    await agent("doctor, wrong key", ["doctor"], { PUENTE_AGENT_KEY: wrong.agentKey });
    await agent("status", ["status"]);
    // Each failure said what was wrong (so its output is worth searching) ...
    expect(captured["agent wrong SQL password stdout"]).toContain("Login failed");
    expect(captured["agent wrong agent key stderr"]).toContain("refused (401)");
    expect(captured["agent wrong Wispro token stdout"]).toContain("WISPRO_API_TOKEN");
    expect(captured["agent doctor, wrong password stdout"]).toContain("✘ SQL Server");
    // ... and the failing runs reached the server and were recorded as failed with a reason.
    const sql = connectDb(booted.stack.info);
    try {
      const failed = await sql`select error from public.runs where status = 'failed'`;
      expect(failed.length).toBeGreaterThanOrEqual(2);
    } finally {
      await sql.end();
    }
  }

  test("the agent daemon opens no listening port: only outbound connections", async () => {
    // A LAN neighbour has nothing to connect to. Linux only: sockets come from /proc.
    if (process.platform !== "linux") return;
    const home = newAgentHome();
    const sql = connectDb(booted.stack.info);
    const startedAt = new Date();
    const child = Bun.spawn({
      ...agentSpawnOptions(booted.stack.info, ["run"], home, { PUENTE_API_URL: edge.url }),
      stdout: "pipe",
      stderr: "pipe",
    });
    const out = new Response(child.stdout).text();
    const err = new Response(child.stderr).text();
    try {
      // Up means: it has sent a heartbeat and holds a connection to the Pusher server.
      const pusherPort = booted.stack.info.pusher.port.toString(16).toUpperCase().padStart(4, "0");
      let sockets: SocketRow[] = [];
      for (let i = 0; i < 200; i++) {
        const [agentRow] = await sql<{ seen: Date | null }[]>`
          select last_seen_at as seen from public.agents where id = ${booted.stack.info.agent.id}`;
        sockets = socketsOf(child.pid);
        const isUp = agentRow?.seen && agentRow.seen >= startedAt &&
          sockets.some((s) => s.remotePort === pusherPort && s.state === "01");
        if (isUp) break;
        await Bun.sleep(100);
      }
      expect(sockets.some((s) => s.remotePort === pusherPort && s.state === "01")).toBe(true);
      const listening = sockets.filter((s) =>
        (s.protocol.startsWith("tcp") && s.state === "0A") ||
        (s.protocol.startsWith("udp") && s.state === "07")
      );
      expect(listening).toEqual([]);
    } finally {
      child.kill("SIGTERM");
      await child.exited;
      await sql.end();
      captured["agent run stdout"] = await out;
      captured["agent run stderr"] = await err;
      captureAgentFiles("run", home);
    }
  }, 60_000);

  test("API answers, including errors, carry no secret", async () => {
    const info = booted.stack.info;
    const answers = [
      await callEdge(info, "/health"),
      await callEdge(info, "/agent/commands/claim", { agentKey: wrong.agentKey, body: {} }),
      await callEdge(info, "/agent/commands/claim", { agentKey: info.agent.key, body: "x" }),
      await callEdge(info, "/commands", { token: info.serviceRoleKey, body: {} }),
      await callEdge(info, "/commands", { token: `${booted.people.admin}x`, body: {} }),
      await callEdge(info, "/pusher/auth", {
        agentKey: info.agent.key,
        raw: "socket_id=1.1&channel_name=private-sync-status",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
      await callEdge(info, "/pusher/auth", {
        agentKey: info.agent.key,
        raw: `socket_id=1.1&channel_name=private-agent-${info.agent.id}`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
    ];
    answers.forEach((a, i) => {
      captured[`edge answer ${i}`] = `${a.status} ${JSON.stringify(a.body)} ${
        JSON.stringify([...a.headers])
      }`;
    });
    for (const fn of ["sync_overview", "list_runs"]) {
      captured[`rpc ${fn} (admin)`] = JSON.stringify(
        (await callRpc(info, fn, {}, booted.people.admin)).body,
      );
    }
    const runs = (await callRpc(info, "list_runs", {}, booted.people.admin)).body as {
      id: string;
    }[];
    for (const run of runs) {
      captured[`rpc run_detail ${run.id}`] = JSON.stringify(
        (await callRpc(info, "run_detail", { p_run_id: run.id }, booted.people.admin)).body,
      );
    }
    captured["rpc authenticate_agent with a wrong key"] = JSON.stringify(
      (await callRpc(info, "authenticate_agent", { p_key: wrong.agentKey }, info.serviceRoleKey))
        .body,
    );
  });

  test("the database (run events, run errors, commands, every table) holds no secret", async () => {
    const sql = connectDb(booted.stack.info);
    try {
      const tables = await sql<{ name: string }[]>`
        select format('%I.%I', schemaname, tablename) as name from pg_tables
        where schemaname = 'public' order by 1`;
      for (const { name } of tables) {
        const rows = await sql.unsafe(`select t::text as row from ${name} t`);
        captured[`table ${name}`] = rows.map((r) => r.row).join("\n");
      }
    } finally {
      await sql.end();
    }
  });

  test("no configured secret appears anywhere that was captured", async () => {
    await edge.stop();
    captured["edge stdout and stderr"] = edge.output();
    // The capture really holds the edge's log: one JSON line per request it served.
    expect(captured["edge stdout and stderr"]).toContain('"message":"request"');
    captured["gateway and Pusher server console"] = consoleOutput;
    // Postgres's own log (pg_ctl -l <cluster>/server.log, beside the data directory): failed
    // statements are logged with their text, so a key interpolated into SQL would show up here.
    const sql = connectDb(booted.stack.info);
    try {
      const [setting] = await sql<{ data_directory: string }[]>`show data_directory`;
      const dataDirectory = setting!.data_directory;
      captured["postgres server log"] = readFileSync(
        join(String(dataDirectory), "..", "server.log"),
        "utf8",
      );
    } finally {
      await sql.end();
    }
    expect(captured["postgres server log"]).toContain("unknown agent key");
    const info = booted.stack.info;
    const secrets: Record<string, string> = {
      "agent key": info.agent.key,
      "SQL Server password": info.sqlserver.password,
      "Pusher secret": info.pusher.secret,
      "service role key": info.serviceRoleKey,
      "JWT secret": info.jwtSecret,
      "Wispro token": info.wispro.token,
      "admin password": info.users.admin.password,
      "staff password": info.users.staff.password,
      "admin access token": booted.people.admin,
      "a mistyped SQL password": wrong.sqlPassword,
      "a mistyped agent key": wrong.agentKey,
      "a mistyped Wispro token": wrong.wisproToken,
    };
    // The search is not vacuous: the captures hold the runs, the requests and the failures.
    const all = Object.values(captured).join("\n");
    expect(captured["edge stdout and stderr"]).toContain('"message":"request"');
    expect(all).toContain(info.agent.id);
    expect(Object.keys(captured).some((k) => k.includes("file"))).toBe(true);
    const leaks: string[] = [];
    for (const [what, secret] of Object.entries(secrets)) {
      expect(secret.length).toBeGreaterThanOrEqual(8);
      for (const [where, text] of Object.entries(captured)) {
        if (text.includes(secret)) leaks.push(`${what} in ${where}`);
      }
    }
    const bytes = Object.values(captured).reduce((n, t) => n + t.length, 0);
    console.log(
      `secrets: ${Object.keys(secrets).length} secrets searched in ${
        Object.keys(captured).length
      } captures (${bytes} characters): ${leaks.length} found`,
    );
    expect(leaks).toEqual([]);
  });
});
