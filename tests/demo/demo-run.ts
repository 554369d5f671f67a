// `npm run demo` driven as a newcomer drives it, shared by the demo's integration test and its
// browser test on PGlite: start it and wait for its ready line, stop it with Ctrl-C and check that
// nothing is left behind, and count what a year sync must store straight from the SQL Server stand-in.
import { expect } from "bun:test";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { RunSummary } from "@puente/protocol";
import { Connection, Request, TYPES } from "tedious";
import { join } from "node:path";
import { descendantsOf, type ReadyLine, ReadyProcess, REPO_ROOT } from "./ready-process.ts";

/** What this test reads from the demo's ready line (the devstack's fields plus the demo's own). */
export interface DemoReady extends ReadyLine {
  webUrl: string;
  supabaseUrl: string;
  anonKey: string;
  functionsUrl: string;
  sqlserver: { host: string; port: number; database: string; user: string; password: string };
  agent: { id: string };
  users: Record<"admin" | "staff", { email: string; password: string }>;
  pids: Record<string, number>;
  ports: number[];
}

const SPIRAL_PREFIX = "1\t0d\t1\t0d";
export const running: ReadyProcess[] = [];
export const step = (line: string) => console.log(`demo test: ${line}`);

/**
 * `npm run demo -- --planillas N` minus npm itself: package.json's own `demo` command, exec'd so the exit
 * status is the demo's. (Through npm, Ctrl-C always ends in 130: npm's `sh -c` wrapper dies of the
 * SIGINT the terminal sends to the whole group, whatever the demo does; the README test covers npm.)
 */
export async function startDemo(
  planillas: number,
  env: Record<string, string> = {},
  readyTimeoutMs = 150_000,
): Promise<{ demo: ReadyProcess; ready: DemoReady }> {
  const script = (await Bun.file(join(REPO_ROOT, "package.json")).json()).scripts.demo as string;
  const demo = new ReadyProcess(`exec ${script} --planillas ${planillas}`, {
    ...process.env,
    // What npm does for a script: the project's own binaries first.
    PATH: `${join(REPO_ROOT, "node_modules", ".bin")}:${process.env.PATH}`,
    ...env,
  });
  running.push(demo);
  const started = Date.now();
  const ready = (await demo.ready(readyTimeoutMs)) as DemoReady;
  step(`\`${demo.command}\` ready in ${Date.now() - started} ms; web ${ready.webUrl}`);
  // The pids it printed are the demo itself and processes it really started.
  expect(ready.pids.demo).toBe(demo.pid);
  expect(descendantsOf(demo.pid)).toEqual(
    expect.arrayContaining([ready.pids.agent, ready.pids.edge]),
  );
  return { demo, ready };
}

export async function stopDemo(demo: ReadyProcess) {
  const stopped = await demo.interrupt();
  step(
    `Ctrl-C: exited ${stopped.code ?? stopped.signal} after ${stopped.exitMs} ms; ` +
      `leftover processes ${stopped.leftovers.length}, busy ports ${stopped.busyPorts.length}`,
  );
  expect({ code: stopped.code, signal: stopped.signal }).toEqual({ code: 0, signal: null });
  expect(stopped.leftovers).toEqual([]);
  expect(stopped.busyPorts).toEqual([]);
  running.splice(running.indexOf(demo), 1);
}

/** Runs `sql` on the SQL Server stand-in with tedious, as any SQL Server client would. */
export async function querySqlServer(
  ready: DemoReady,
  sql: string,
  params: Record<string, string> = {},
): Promise<Record<string, unknown>[]> {
  const connection = new Connection({
    server: ready.sqlserver.host,
    authentication: {
      type: "default",
      options: { userName: ready.sqlserver.user, password: ready.sqlserver.password },
    },
    options: {
      port: ready.sqlserver.port,
      database: ready.sqlserver.database,
      encrypt: false,
      trustServerCertificate: true,
    },
  });
  await new Promise<void>((resolve, reject) => {
    connection.on("connect", (error) => (error ? reject(error) : resolve()));
    connection.connect();
  });
  try {
    return await new Promise((resolve, reject) => {
      const rows: Record<string, unknown>[] = [];
      const request = new Request(sql, (error) => (error ? reject(error) : resolve(rows)));
      for (const [name, value] of Object.entries(params)) {
        request.addParameter(name, TYPES.NVarChar, value);
      }
      request.on("row", (columns) => {
        rows.push(
          Object.fromEntries(
            columns.map((c: { metadata: { colName: string }; value: unknown }) => [
              c.metadata.colName.toLowerCase(),
              c.value,
            ]),
          ),
        );
      });
      connection.execSql(request);
    });
  } finally {
    connection.close();
  }
}

/** The FerraWin stand-in's year with the most planillas (the latest among ties), asked over tedious. */
export async function busiestFixtureYear(ready: DemoReady): Promise<string> {
  const [busiest] = await querySqlServer(
    ready,
    `SELECT TOP 1 ZCONTA AS year, COUNT(*) AS n FROM ORD_HEAD
     GROUP BY ZCONTA ORDER BY COUNT(*) DESC, ZCONTA DESC`,
  );
  return String(busiest?.year);
}

/**
 * What a year sync must store, counted straight from FerraWin's tables by ARCHITECTURE §5's rules:
 * headers with a blank code or no valid obra are rejected; the rest are created with their bars,
 * leaving out spirals and bars with blank keys.
 */
export async function fixtureCounts(ready: DemoReady, year: string) {
  const isKept = "LTRIM(RTRIM(ISNULL(h.ZCODIGO, ''))) <> '' " +
    "AND EXISTS (SELECT 1 FROM PROJECT p WHERE p.ZCODIGO = h.ZCODOBRA)";
  const [heads] = await querySqlServer(
    ready,
    `SELECT COUNT(*) AS headers, SUM(CASE WHEN ${isKept} THEN 1 ELSE 0 END) AS kept
     FROM ORD_HEAD h WHERE h.ZCONTA = @year`,
    { year },
  );
  const [bars] = await querySqlServer(
    ready,
    `SELECT COUNT(*) AS elementos FROM ORD_BAR b
     JOIN ORD_HEAD h ON h.ZCONTA = b.ZCONTA AND h.ZCODIGO = b.ZCODIGO
     WHERE h.ZCONTA = @year AND ${isKept}
       AND LTRIM(RTRIM(ISNULL(b.ZCODLIN, ''))) <> '' AND LTRIM(RTRIM(ISNULL(b.ZELEMENTO, ''))) <> ''
       AND ISNULL(b.ZFIGURA, '') NOT LIKE @spiral`,
    { year, spiral: `${SPIRAL_PREFIX}%` },
  );
  const headers = Number(heads?.headers);
  const kept = Number(heads?.kept);
  return { headers, kept, rejected: headers - kept, elementos: Number(bars?.elementos) };
}

/** The demo's admin signed in through the gateway, as the panel signs in. */
export async function signInAdmin(ready: DemoReady): Promise<SupabaseClient> {
  const supabase = createClient(ready.supabaseUrl, ready.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const login = await supabase.auth.signInWithPassword(ready.users.admin);
  expect(login.error).toBeNull();
  expect(login.data.session?.user.app_metadata.role).toBe("admin");
  return supabase;
}

/** A source's latest runs, newest first, read as a reloaded page reads them (list_runs). */
export async function listRuns(
  supabase: SupabaseClient,
  source: "ferrawin" | "wispro",
): Promise<RunSummary[]> {
  const { data, error } = await supabase.rpc("list_runs", {
    p_source: source,
    p_status: null,
    p_agent_id: null,
    p_limit: 20,
  });
  expect(error).toBeNull();
  return (data as unknown[]).map((r) => RunSummary.parse(r));
}
