// `PUENTE_POSTGRES=pglite npm run demo`: the whole system on a machine without PostgreSQL binaries,
// with PGlite (PostgreSQL 18 in WebAssembly, from npm) as the database, the Supabase CLI pushing the
// migrations to it over the wire. The demo reaches its ready line; the admin signs in in Chromium,
// starts a FerraWin year sync and then a Wispro sync from the panel and sees each finish live; the
// year lands with exactly the planillas, rejects and elementos FerraWin's tables hold for it, and every
// client the Wispro stand-in serves is stored or rejected once; Ctrl-C leaves nothing behind.
import { afterAll, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import type { RunSummary } from "@puente/protocol";
import { join } from "node:path";
import { launchChromium } from "../../devstack/src/chromium.ts";
import {
  busiestFixtureYear,
  type DemoReady,
  fixtureCounts,
  listRuns,
  running,
  signInAdmin,
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
  "on PGlite the demo reaches ready, and a FerraWin year sync and a Wispro sync started in the browser " +
    "land exactly what the stand-ins serve",
  async () => {
    const { demo, ready } = await startDemo(20, { PUENTE_POSTGRES: "pglite" }, 400_000);
    expect(demo.output.join("\n")).toMatch(/postgres: PGlite 1[89]\.\d+ \(WebAssembly/);
    // What the FerraWin stand-in holds for its busiest year, counted over tedious (ARCHITECTURE §5).
    const year = await busiestFixtureYear(ready);
    const want = await fixtureCounts(ready, year);
    expect(want.kept).toBeGreaterThan(0);
    // What the Wispro stand-in serves, asked as the agent asks it.
    const wispro = (ready as DemoReady & { wispro: { baseUrl: string; token: string } }).wispro;
    const page1 = await fetch(`${wispro.baseUrl}/clients?page=1&per_page=1`, {
      headers: { authorization: wispro.token }, // Wispro takes the bare token (REFERENCE.md)
    });
    const clients = Number((await page1.json()).meta.pagination.total_records);
    expect(clients).toBeGreaterThan(0);
    try {
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await signInOnThePage(page, ready);

      const ferrawin = await finishedRun(
        page,
        ready,
        "ferrawin",
        `a FerraWin ${year} sync`,
        async () => {
          await page.getByTestId("year-select").selectOption(year);
          await page.getByTestId("start-year").click();
          await page.getByTestId("year-restart").click();
        },
      );
      expect({
        planillasCreated: ferrawin.counts.planillas?.created,
        planillasRejected: ferrawin.counts.planillas?.rejected,
        elementosCreated: ferrawin.counts.elementos?.created,
      }).toEqual({
        planillasCreated: want.kept,
        planillasRejected: want.rejected,
        elementosCreated: want.elementos,
      });

      const run = await finishedRun(page, ready, "wispro", "a Wispro sync", async () => {
        await page.getByTestId("start-wispro").click();
      });
      const customers = run.counts.customers!;
      expect(customers.created + customers.rejected).toBe(clients);
      expect(customers.updated + customers.unchanged).toBe(0);
      await page.screenshot({
        path: join(REPO_ROOT, "web", "test-results", "e2e-pglite-done.png"),
      });
      await page.close();
    } catch (error) {
      console.error(`the demo's last lines:\n${demo.tail(80)}`);
      throw error;
    }
    await stopDemo(demo);
  },
  900_000,
);

async function signInOnThePage(page: Page, ready: DemoReady) {
  await page.goto(ready.webUrl);
  await page.getByTestId("login-email").fill(ready.users.admin.email);
  await page.getByTestId("login-password").fill(ready.users.admin.password);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("admin-layout").waitFor({ timeout: 60_000 });
  await page.getByTestId("agent-current-online").filter({ hasText: /en línea|online/i })
    .waitFor({ timeout: 120_000 });
}

/** Waits for the panel to show the run just started as finished, live, and returns it as stored. */
async function finishedRun(
  page: Page,
  ready: DemoReady,
  source: "ferrawin" | "wispro",
  what: string,
  start: () => Promise<void>,
): Promise<RunSummary> {
  const supabase = await signInAdmin(ready);
  const before = new Set((await listRuns(supabase, source)).map((r) => r.id));
  await start();
  // "Orden enviada" shows until the run it started is known; a quick run may already be on screen.
  await page.getByTestId("command-accepted")
    .or(page.locator('[data-testid="live-run"]:not([data-status=""])'))
    .first().waitFor({ timeout: 60_000 });
  step(`the admin started ${what} from the panel`);
  let run: RunSummary | undefined;
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    run = (await listRuns(supabase, source)).find((r) => !before.has(r.id));
    if (run && !["queued", "running"].includes(run.status)) break;
    await Bun.sleep(500);
  }
  step(`run ${run?.id}: ${run?.status}; ${JSON.stringify(run?.counts)}`);
  expect(run?.status).toBe("completed");
  // The panel shows that very run finished, without a reload.
  await page.getByTestId("live-run").filter({ hasText: /Finalizado|Completed|Completado/i })
    .waitFor({ timeout: 60_000 });
  return run!;
}
