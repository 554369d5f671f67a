// `npm run demo` as a newcomer runs it (issue #10): it reaches its ready line; an admin signs in through
// the gateway, starts a year sync through the edge API as the web panel does, and the run completes with
// the counts the generated FerraWin fixture holds for that year (read from the SQL Server stand-in over
// tedious, not from the run); Ctrl-C stops everything it started; and running it again works.
import { afterAll, describe, expect, test } from "bun:test";
import { createClient } from "@supabase/supabase-js";
import { CommandAccepted, CommandRequest, RunSummary } from "@puente/protocol";
import { Connection, Request, TYPES } from "tedious";
import { join } from "node:path";
import { descendantsOf, type ReadyLine, ReadyProcess, REPO_ROOT } from "../demo/ready-process.ts";

/** What this test reads from the demo's ready line (the devstack's fields plus the demo's own). */
interface DemoReady extends ReadyLine {
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
const running: ReadyProcess[] = [];
const step = (line: string) => console.log(`demo test: ${line}`);

afterAll(() => {
  // Only reached with something still running when a test failed midway.
  for (const demo of running) demo.kill();
});

/**
 * `npm run demo -- --planillas N` minus npm itself: package.json's own `demo` command, exec'd so the exit
 * status is the demo's. (Through npm, Ctrl-C always ends in 130: npm's `sh -c` wrapper dies of the
 * SIGINT the terminal sends to the whole group, whatever the demo does; the README test covers npm.)
 */
async function startDemo(planillas: number): Promise<{ demo: ReadyProcess; ready: DemoReady }> {
  const script = (await Bun.file(join(REPO_ROOT, "package.json")).json()).scripts.demo as string;
  const demo = new ReadyProcess(`exec ${script} --planillas ${planillas}`, {
    ...process.env,
    // What npm does for a script: the project's own binaries first.
    PATH: `${join(REPO_ROOT, "node_modules", ".bin")}:${process.env.PATH}`,
  });
  running.push(demo);
  const started = Date.now();
  const ready = (await demo.ready(150_000)) as DemoReady;
  step(`\`${demo.command}\` ready in ${Date.now() - started} ms; web ${ready.webUrl}`);
  // The pids it printed are the demo itself and processes it really started.
  expect(ready.pids.demo).toBe(demo.pid);
  expect(descendantsOf(demo.pid)).toEqual(
    expect.arrayContaining([ready.pids.agent, ready.pids.edge]),
  );
  return { demo, ready };
}

async function stopDemo(demo: ReadyProcess) {
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
async function querySqlServer(
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

/**
 * What a year sync must store, counted straight from FerraWin's tables by ARCHITECTURE §5's rules:
 * headers with a blank code or no valid obra are rejected; the rest are created with their bars,
 * leaving out spirals and bars with blank keys.
 */
async function fixtureCounts(ready: DemoReady, year: string) {
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

describe("npm run demo", () => {
  test(
    "reaches ready, runs a year sync started by the admin to the fixture's counts, and stops on Ctrl-C",
    async () => {
      const { demo, ready } = await startDemo(200);

      const page = await fetch(ready.webUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<html");
      const config = await (await fetch(`${ready.webUrl}/config.json`)).json();
      expect(config.supabaseUrl).toBe(ready.supabaseUrl);
      step(`web app served at ${ready.webUrl} with its /config.json`);

      // The logins the README's table gives are the ones that work.
      const readme = await Bun.file(join(REPO_ROOT, "README.md")).text();
      for (const who of ["admin", "staff"] as const) {
        const { email, password } = ready.users[who];
        expect(readme).toContain(`| ${who} | \`${email}\` | \`${password}\` |`);
        const client = createClient(ready.supabaseUrl, ready.anonKey, {
          auth: { persistSession: false, autoRefreshToken: false },
        });
        const { data, error } = await client.auth.signInWithPassword({ email, password });
        expect({ who, error, role: data.session?.user.app_metadata.role }).toEqual({
          who,
          error: null,
          role: who,
        });
      }
      step("the README's admin and staff logins sign in with their roles");

      const supabase = createClient(ready.supabaseUrl, ready.anonKey, {
        auth: { persistSession: false, autoRefreshToken: false },
      });
      const login = await supabase.auth.signInWithPassword(ready.users.admin);
      expect(login.error).toBeNull();
      expect(login.data.session?.user.app_metadata.role).toBe("admin");
      step(`signed in as ${ready.users.admin.email} through the gateway`);

      const [busiest] = await querySqlServer(
        ready,
        `SELECT TOP 1 ZCONTA AS year, COUNT(*) AS n FROM ORD_HEAD
         GROUP BY ZCONTA ORDER BY COUNT(*) DESC, ZCONTA DESC`,
      );
      const year = String(busiest?.year);
      const want = await fixtureCounts(ready, year);
      step(
        `fixture for ${year} (over tedious): ${want.headers} headers, ${want.kept} to store, ` +
          `${want.rejected} to reject, ${want.elementos} elementos`,
      );
      expect(want.kept).toBeGreaterThan(0);
      expect(want.rejected).toBeGreaterThan(0);

      // The web panel's call (web/src/api/client.ts): the protocol's schema, the user's JWT, the anon key.
      const command = CommandRequest.parse({
        requestId: crypto.randomUUID(),
        agentId: ready.agent.id,
        source: "ferrawin",
        action: "start",
        params: { mode: "year", year: Number(year) },
      });
      const answer = await fetch(`${ready.functionsUrl}/commands`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${login.data.session!.access_token}`,
          apikey: ready.anonKey,
        },
        body: JSON.stringify(command),
      });
      const body = await answer.json();
      expect({ status: answer.status, body }).toMatchObject({ status: 201 });
      const accepted = CommandAccepted.parse(body);
      step(`POST /commands accepted: command ${accepted.commandId}`);

      // Follow the run as a reloaded page would: the read RPC under the admin's JWT.
      const deadline = Date.now() + 90_000;
      let run: RunSummary | undefined;
      while (Date.now() < deadline) {
        const { data, error } = await supabase.rpc("list_runs", {
          p_source: "ferrawin",
          p_status: null,
          p_agent_id: null,
          p_limit: 20,
        });
        expect(error).toBeNull();
        run = (data as unknown[]).map((r) => RunSummary.parse(r))
          .find((r) => r.commandId === accepted.commandId);
        if (run && !["queued", "running"].includes(run.status)) break;
        await Bun.sleep(250);
      }
      step(
        `run ${run?.id}: ${run?.status}, done ${run?.done} of ${run?.total}` +
          (run?.error ? `; error ${JSON.stringify(run.error)}` : ""),
      );
      expect(run?.status).toBe("completed");
      const planillas = run!.counts.planillas!;
      const elementos = run!.counts.elementos!;
      expect({
        planillasCreated: planillas.created,
        planillasRejected: planillas.rejected,
        elementosCreated: elementos.created,
        done: run!.done,
      }).toEqual({
        planillasCreated: want.kept,
        planillasRejected: want.rejected,
        elementosCreated: want.elementos,
        done: want.headers,
      });
      expect(planillas.updated + planillas.unchanged + planillas.deleted).toBe(0);
      await supabase.auth.signOut();

      await stopDemo(demo);
    },
    240_000,
  );

  test("runs again after Ctrl-C (smallest dataset)", async () => {
    const { demo, ready } = await startDemo(20);
    expect((await fetch(`${ready.functionsUrl}/health`)).status).toBe(200);
    await stopDemo(demo);
  }, 180_000);
});
