// `PUENTE_POSTGRES=pglite npm run demo`: the whole system on a machine without PostgreSQL binaries,
// with PGlite (PostgreSQL 18 in WebAssembly, from npm) as the database. The demo reaches its ready
// line; the admin signs in in Chromium, starts a year sync from the panel, and sees it finish; the run
// stores exactly what the SQL Server stand-in holds for that year; Ctrl-C leaves nothing behind.
import { afterAll, expect, test } from "bun:test";
import { createClient } from "@supabase/supabase-js";
import { RunSummary } from "@puente/protocol";
import type { Browser } from "playwright-core";
import { join } from "node:path";
import { launchChromium } from "../../devstack/src/chromium.ts";
import {
  type DemoReady,
  fixtureCounts,
  querySqlServer,
  running,
  startDemo,
  step,
  stopDemo,
} from "../demo/demo-run.ts";
import { REPO_ROOT } from "../demo/ready-process.ts";

let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  for (const demo of running) demo.kill();
});

test(
  "on PGlite the demo reaches ready and a year sync started in the browser stores the fixture's counts",
  async () => {
    const { demo, ready } = await startDemo(60, { PUENTE_POSTGRES: "pglite" }, 400_000);
    expect(demo.output.join("\n")).toMatch(/postgres: PGlite 1[89]\.\d+ \(WebAssembly/);
    expect(ready.dbUrl).toMatch(/^postgres:\/\//);

    const [busiest] = await querySqlServer(
      ready,
      `SELECT TOP 1 ZCONTA AS year, COUNT(*) AS n FROM ORD_HEAD
       GROUP BY ZCONTA ORDER BY COUNT(*) DESC, ZCONTA DESC`,
    );
    const year = String(busiest?.year);
    const want = await fixtureCounts(ready, year);
    step(
      `fixture for ${year}: ${want.headers} headers, ${want.kept} to store, ${want.elementos} elementos`,
    );
    expect(want.kept).toBeGreaterThan(0);

    try {
      await syncFromThePanel(ready, year, want);
    } catch (error) {
      console.error(`the demo's last lines:\n${demo.tail(80)}`);
      throw error;
    }
    await stopDemo(demo);
  },
  900_000,
);

async function syncFromThePanel(
  ready: DemoReady,
  year: string,
  want: Awaited<ReturnType<typeof fixtureCounts>>,
) {
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(ready.webUrl);
  await page.getByTestId("login-email").fill(ready.users.admin.email);
  await page.getByTestId("login-password").fill(ready.users.admin.password);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("admin-layout").waitFor({ timeout: 60_000 });
  await page.getByTestId("agent-current-online").filter({ hasText: /en línea|online/i })
    .waitFor({ timeout: 120_000 });
  await page.getByTestId("year-select").selectOption(year);
  await page.getByTestId("start-year").click();
  await page.getByTestId("year-restart").click();
  await page.getByTestId("command-accepted").waitFor({ timeout: 60_000 });
  step("the admin started the year sync from the panel");
  // The panel shows the run finished, live, without a reload.
  await page.getByTestId("live-run").filter({ hasText: /Finalizado|Completed|Completado/i })
    .waitFor({ timeout: 300_000 });
  await page.screenshot({ path: join(REPO_ROOT, "web", "test-results", "e2e-pglite-done.png") });
  step("the panel shows the run finished");

  const supabase = createClient(ready.supabaseUrl, ready.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const login = await supabase.auth.signInWithPassword(ready.users.admin);
  expect(login.error).toBeNull();
  const { data, error } = await supabase.rpc("list_runs", {
    p_source: "ferrawin",
    p_status: null,
    p_agent_id: null,
    p_limit: 5,
  });
  expect(error).toBeNull();
  const runs = (data as unknown[]).map((r) => RunSummary.parse(r));
  const [run] = runs;
  if (!run?.counts.planillas) console.error("list_runs:", JSON.stringify(data));
  expect(run?.status).toBe("completed");
  expect({
    created: run!.counts.planillas!.created,
    rejected: run!.counts.planillas!.rejected,
    elementos: run!.counts.elementos!.created,
    done: run!.done,
  }).toEqual({
    created: want.kept,
    rejected: want.rejected,
    elementos: want.elementos,
    done: want.headers,
  });
  await page.close();
}
