// `PUENTE_POSTGRES=pglite npm run demo`: the whole system on a machine without PostgreSQL binaries,
// with PGlite (PostgreSQL 18 in WebAssembly, from npm) as the database, the Supabase CLI pushing the
// migrations to it over the wire. The demo reaches its ready line; the admin signs in in Chromium,
// starts a Wispro sync from the panel and sees it finish live; every client the Wispro stand-in
// serves is stored or rejected exactly once; Ctrl-C leaves nothing behind. (A FerraWin sync on PGlite
// does not finish yet: see the README's Requirements.)
import { afterAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { join } from "node:path";
import { launchChromium } from "../../devstack/src/chromium.ts";
import {
  type DemoReady,
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
  "on PGlite the demo reaches ready and a Wispro sync started in the browser stores every client once",
  async () => {
    const { demo, ready } = await startDemo(20, { PUENTE_POSTGRES: "pglite" }, 400_000);
    expect(demo.output.join("\n")).toMatch(/postgres: PGlite 1[89]\.\d+ \(WebAssembly/);
    // What the Wispro stand-in serves, asked as the agent asks it.
    const wispro = (ready as DemoReady & { wispro: { baseUrl: string; token: string } }).wispro;
    const page1 = await fetch(`${wispro.baseUrl}/clients?page=1&per_page=1`, {
      headers: { authorization: wispro.token }, // Wispro takes the bare token (REFERENCE.md)
    });
    const clients = Number((await page1.json()).meta.pagination.total_records);
    expect(clients).toBeGreaterThan(0);
    try {
      await syncFromThePanel(ready, clients);
    } catch (error) {
      console.error(`the demo's last lines:\n${demo.tail(80)}`);
      throw error;
    }
    await stopDemo(demo);
  },
  900_000,
);

async function syncFromThePanel(ready: DemoReady, clients: number) {
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(ready.webUrl);
  await page.getByTestId("login-email").fill(ready.users.admin.email);
  await page.getByTestId("login-password").fill(ready.users.admin.password);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("admin-layout").waitFor({ timeout: 60_000 });
  await page.getByTestId("agent-current-online").filter({ hasText: /en línea|online/i })
    .waitFor({ timeout: 120_000 });
  await page.getByTestId("start-wispro").click();
  // "Orden enviada" shows until the run it started is known; a quick run may already be on screen.
  await page.getByTestId("command-accepted")
    .or(page.locator('[data-testid="live-run"]:not([data-status=""])'))
    .first().waitFor({ timeout: 60_000 });
  step("the admin started a Wispro sync from the panel");
  // The panel shows the run finished, live, without a reload.
  await page.getByTestId("live-run").filter({ hasText: /Finalizado|Completed|Completado/i })
    .waitFor({ timeout: 300_000 });
  await page.screenshot({ path: join(REPO_ROOT, "web", "test-results", "e2e-pglite-done.png") });
  step("the panel shows the run finished");

  const [run] = await listRuns(await signInAdmin(ready), "wispro");
  expect(run?.status).toBe("completed");
  const customers = run!.counts.customers!;
  step(`run ${run!.id}: ${JSON.stringify(customers)} of ${clients} clients`);
  expect(customers.created + customers.rejected).toBe(clients);
  expect(customers.updated + customers.unchanged).toBe(0);
  await page.close();
}
