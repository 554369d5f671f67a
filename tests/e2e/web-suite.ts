// The web panel and the field-staff PWA in headless Chromium, against the devstack with the agent
// daemon running: people press the buttons, the agent syncs, the screens follow live. The suite runs once
// per way a Supabase project signs (web.test.ts: ES256 with publishable/secret keys, as current projects
// do; legacy-jwt.test.ts: the legacy HS256 secret), and the edge answers CORS for the panel's origin
// only, as PUENTE_WEB_ORIGIN is set in production.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import postgres from "postgres";
import type { Stack } from "../../devstack/src/stack.ts";
import type { JwtMode } from "../../devstack/src/gateway/jwt.ts";
import { startWebServer } from "../../devstack/src/web-server.ts";
import { type BrowserStack, SHOTS, startBrowserStack } from "./browser-stack.ts";

/** Defines the whole suite against a devstack signing with `jwtMode`; screenshots carry `shotPrefix`. */
export function webSuite(jwtMode: JwtMode, shotPrefix = "") {
  let started: BrowserStack;
  let stack: Stack;
  let web: ReturnType<typeof startWebServer>;
  let browser: Browser;
  let busiestYear: number;

  beforeAll(async () => {
    started = await startBrowserStack({ planillas: 80, seed: 7, jwtMode });
    ({ stack, web, browser } = started);
    const sql = postgres(stack.ferrawinUrl, { max: 1, onnotice: () => {} });
    const [row] =
      await sql`select zconta::int as year from ferrawin.ord_head group by 1 order by count(*) desc limit 1`;
    await sql.end();
    busiestYear = Number(row?.year);
  }, 240_000);

  afterAll(async () => {
    await started?.stop();
  });

  const login = (page: Page, who: "admin" | "staff") => started.login(page, who);

  async function runRows(where: string, params: unknown[] = []) {
    const sql = postgres(stack.info.dbUrl, { max: 1, onnotice: () => {} });
    try {
      return await sql.unsafe(
        `select id, status, counts, total, done from public.runs ${where} order by created_at desc`,
        params as never[],
      );
    } finally {
      await sql.end();
    }
  }

  /** The run's rejects counted by reason, straight from the database. */
  async function rejectReasons(runId: string): Promise<Record<string, number>> {
    const sql = postgres(stack.info.dbUrl, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ reason: string; n: number }[]>`
        select reason, count(*)::int as n from public.run_rejects where run_id = ${runId}
        group by reason`;
      return Object.fromEntries(rows.map((r) => [r.reason, r.n]));
    } finally {
      await sql.end();
    }
  }

  async function waitForRun(
    predicate: (run: Record<string, unknown>) => boolean,
    timeoutMs = 90_000,
  ) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = (await runRows("")).find(predicate);
      if (found) return found;
      await Bun.sleep(250);
    }
    throw new Error("no run reached the expected state in time");
  }

  describe("keys and origins as in production", () => {
    test(
      "the session is signed as the devstack's project signs (ES256 with its kid, or legacy HS256)",
      async () => {
        const page = await browser.newPage();
        try {
          await login(page, "staff");
          const token = await page.evaluate(() => {
            const key = Object.keys(localStorage).find((k) => /^sb-.*-auth-token$/.test(k));
            return key ? JSON.parse(localStorage.getItem(key)!).access_token as string : null;
          });
          const header = JSON.parse(Buffer.from(token!.split(".")[0]!, "base64url").toString());
          const jwks =
            await (await fetch(`${stack.info.supabaseUrl}/auth/v1/.well-known/jwks.json`))
              .json();
          if (stack.info.jwtMode === "es256") {
            expect(stack.info.anonKey).toStartWith("sb_publishable_");
            expect(header.alg).toBe("ES256");
            expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual([header.kid]);
          } else {
            expect(header.alg).toBe("HS256");
            expect(jwks.keys).toEqual([]);
          }
        } finally {
          await page.close();
        }
      },
      60_000,
    );

    test(
      "the edge answers CORS for the panel's origin only: a page served elsewhere cannot call it",
      async () => {
        const elsewhere = startWebServer({ info: stack.info });
        const page = await browser.newPage();
        // Runs in the page: the same call the panel makes, as its origin's browser allows it or not.
        const tryEdge = (page: Page) =>
          page.evaluate(async ([functionsUrl, anonKey]) => {
            try {
              const answer = await fetch(`${functionsUrl}/health`, {
                headers: { apikey: anonKey! },
              });
              return `status ${answer.status}`;
            } catch (error) {
              return `refused: ${(error as Error).message}`;
            }
          }, [stack.info.functionsUrl, stack.info.anonKey]);
        try {
          await page.goto(web.url);
          expect(await tryEdge(page)).toBe("status 200");
          await page.goto(elsewhere.url);
          expect(await tryEdge(page)).toMatch(/^refused/);
        } finally {
          await page.close();
          await elsewhere.stop();
        }
        // The usual misconfigurations are refused too: a trailing slash, http for https, another host.
        const port = new URL(web.url).port;
        for (
          const origin of [
            `http://127.0.0.1:${port}/`,
            `https://127.0.0.1:${port}`,
            `http://localhost:${port}`,
            "null",
          ]
        ) {
          const preflight = await fetch(`${stack.info.functionsUrl}/commands`, {
            method: "OPTIONS",
            headers: { Origin: origin, "Access-Control-Request-Method": "POST" },
          });
          expect([origin, preflight.headers.get("access-control-allow-origin")]).toEqual([
            origin,
            null,
          ]);
        }
        const allowed = await fetch(`${stack.info.functionsUrl}/commands`, {
          method: "OPTIONS",
          headers: { Origin: new URL(web.url).origin, "Access-Control-Request-Method": "POST" },
        });
        expect(allowed.headers.get("access-control-allow-origin")).toBe(new URL(web.url).origin);
      },
      60_000,
    );
  });

  describe("admin on a desktop", () => {
    test(
      "starts a year sync, sees it progress and complete with the right counts, and opens its rejects",
      async () => {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        try {
          await login(page, "admin");
          await page.getByTestId("agent-current-online").filter({ hasText: /en línea|online/i })
            .waitFor({ timeout: 30_000 });
          await page.screenshot({ path: join(SHOTS, shotPrefix + "e2e-admin-home.png") });
          await page.getByTestId("year-select").selectOption(String(busiestYear));
          // Slow the source a little so progress is visible on screen before the run completes.
          stack.sqlserver.setRowDelay(4);
          await page.getByTestId("start-year").click();
          await page.getByTestId("year-restart").click();
          // "Orden enviada" shows until the run it started is known; a fast agent may replace it with
          // the running run before a poll sees it, so either one is the answer to the click.
          await page.getByTestId("command-accepted")
            .or(page.locator('[data-testid="live-run"][data-status="running"]'))
            .first().waitFor({ timeout: 30_000 });
          const liveRun = page.getByTestId("live-run");
          await liveRun.waitFor({ timeout: 30_000 });
          await page.screenshot({ path: join(SHOTS, shotPrefix + "e2e-admin-running.png") });
          const shown: string[] = [];
          const progress = page.getByTestId("run-done-total");
          await progress.first().waitFor({ timeout: 30_000 });
          for (let i = 0; i < 400 && !/(\d[\d.,]*) de \1\b/.test(shown.at(-1) ?? ""); i++) {
            const text = (await progress.first().textContent({ timeout: 1000 }))?.trim();
            if (text && text !== shown.at(-1)) shown.push(text);
            await Bun.sleep(50);
          }
          stack.sqlserver.setRowDelay(0);
          const run = await waitForRun((r) => r.status === "completed");
          // The screen moved through more than one progress value, ending at done = total, the
          // run's total as the database stored it.
          const total = Number(run.total);
          expect(Number(run.done)).toBe(total);
          const n = new Intl.NumberFormat("es-ES").format(total);
          expect(shown.at(-1)).toBe(`${n} de ${n} (100%)`);
          expect(shown.length).toBeGreaterThanOrEqual(2);
          const finished = page.locator(
            `[data-testid="live-run"][data-run-id="${run.id}"][data-status="completed"]`,
          );
          await finished.waitFor({ timeout: 30_000 });
          expect(await finished.getByTestId("run-done-total").textContent()).toBe(
            `${n} de ${n} (100%)`,
          );
          // A finished run: its own status only (no agent "Detenido" beside "Finalizado"), and
          // "Orden enviada" gone.
          expect(await finished.getByTestId("run-remote-status").textContent()).toBe("Finalizado");
          expect(await finished.getByTestId("run-state").count()).toBe(0);
          expect(await page.getByTestId("command-accepted").count()).toBe(0);
          // The throughput chart has axes: the unit, a scale from 0, clock times.
          expect(await finished.getByTestId("chart-y-title").textContent()).toBe(
            "Velocidad (planillas/s)",
          );
          const yTicks = await finished.getByTestId("chart-y-tick").allTextContents();
          expect(yTicks[0]).toBe("0");
          expect(yTicks.length).toBe(5);
          expect(await finished.getByTestId("chart-x-tick").count()).toBeGreaterThanOrEqual(1);
          const sql = postgres(stack.ferrawinUrl, { max: 1, onnotice: () => {} });
          const [source] =
            await sql`select count(*)::int as n from ferrawin.ord_head where zconta = ${
              String(busiestYear)
            }`;
          await sql.end();
          const counts = run.counts as {
            planillas?: { created: number; updated: number; unchanged: number; rejected: number };
          };
          const p = counts.planillas!;
          expect(p.created + p.updated + p.unchanged + p.rejected).toBe(Number(source?.n));
          await page.screenshot({ path: join(SHOTS, shotPrefix + "e2e-admin-completed.png") });

          await page.getByTestId("nav-history").click();
          // History says who started the run, how long it took, its average rate and rejects by reason.
          const row = page.getByTestId(`history-row-${run.id}`);
          expect(await row.getByTestId("history-started-by").textContent()).toBe(
            stack.info.users.admin.email,
          );
          expect(await row.getByTestId("history-duration").textContent()).toMatch(/^\d+ (s|min)/);
          expect(await row.getByTestId("history-rate").textContent()).toMatch(
            /^[\d.,]+\/s \(planillas\/s\)$/,
          );
          const reasons = await rejectReasons(run.id as string);
          const listed = await row.getByTestId("history-rejects").locator("li").evaluateAll((
            items,
          ) => items.map((li) => [li.getAttribute("data-reason"), li.textContent]));
          expect(listed.map(([reason]) => reason).sort()).toEqual(Object.keys(reasons).sort());
          for (const [reason, text] of listed) {
            expect(text).toEndWith(`: ${reasons[reason!]}`);
          }
          await row.getByTestId("history-open").click();
          await page.getByTestId("run-detail").waitFor();
          await page.getByTestId("run-detail-tab-rejects").click();
          await page.getByTestId("run-detail-rejects").waitFor();
          expect(await page.getByTestId("reject-row").count()).toBe(p.rejected);
          await page.screenshot({ path: join(SHOTS, shotPrefix + "e2e-admin-rejects.png") });
        } finally {
          await page.close();
        }
      },
      180_000,
    );

    test("pauses and resumes another run, which then completes", async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      stack.sqlserver.setRowDelay(3);
      try {
        await login(page, "admin");
        await page.getByTestId("start-all").click();
        await page.getByTestId("all-confirm-yes").click();
        // The run this click started: the live card with a pause button names it.
        const card = page.getByTestId("live-run").filter({ has: page.getByTestId("run-pause") });
        await card.waitFor({ timeout: 30_000 });
        const runId = (await card.getAttribute("data-run-id"))!;
        expect(runId).toMatch(/^[0-9a-f-]{36}$/);
        const thisRun = (status: string) =>
          page.locator(`[data-testid="live-run"][data-run-id="${runId}"][data-status="${status}"]`);
        await card.getByTestId("run-pause").click({ timeout: 30_000 });
        // Paused on screen (with its resume button) and in the database, for this run.
        await thisRun("paused").getByTestId("run-resume").waitFor({ timeout: 60_000 });
        await waitForRun((r) => r.id === runId && r.status === "paused", 60_000);
        await page.screenshot({ path: join(SHOTS, shotPrefix + "e2e-admin-paused.png") });
        stack.sqlserver.setRowDelay(0);
        await thisRun("paused").getByTestId("run-resume").click({ timeout: 30_000 });
        // Resumed: running again (or already done) on screen, then completed in both places.
        await thisRun("running").or(thisRun("completed")).first().waitFor({ timeout: 60_000 });
        await waitForRun((r) => r.id === runId && r.status === "completed", 120_000);
        await thisRun("completed").waitFor({ timeout: 30_000 });
      } finally {
        stack.sqlserver.setRowDelay(0);
        await page.close();
      }
    }, 240_000);
  });

  describe("field staff on a phone", () => {
    test(
      "starts a sync with the big button, sees it finish, and sees no admin or Wispro controls",
      async () => {
        const context = await browser.newContext({
          viewport: { width: 390, height: 844 },
          isMobile: true,
          hasTouch: true,
        });
        const page = await context.newPage();
        try {
          const before = new Set((await runRows("")).map((r) => r.id));
          await login(page, "staff");
          expect(await page.getByTestId("start-wispro").count()).toBe(0);
          expect(await page.getByTestId("nav-agents").count()).toBe(0);
          expect(await page.getByTestId("agent-create").count()).toBe(0);
          // The header: one row, its actions folded behind one menu button.
          const topbar = page.locator("header.topbar");
          const toggle = page.getByTestId("header-menu-toggle");
          expect(
            await topbar.getByRole("button").evaluateAll((buttons) =>
              buttons.filter((b) => (b as HTMLElement).offsetParent !== null)
                .map((b) => b.getAttribute("data-testid"))
            ),
          ).toEqual(["header-menu-toggle"]);
          // One row: the live badge and the menu button side by side, the bar no taller than the
          // brand (logo and title) needs.
          const middle = async (testId: string) => {
            const box = (await page.getByTestId(testId).boundingBox())!;
            return box.y + box.height / 2;
          };
          expect(Math.abs(await middle("connection-badge") - await middle("header-menu-toggle")))
            .toBeLessThan(4);
          expect((await topbar.boundingBox())!.height).toBeLessThan(100);
          expect(await toggle.getAttribute("aria-expanded")).toBe("false");
          await toggle.click();
          expect(await toggle.getAttribute("aria-expanded")).toBe("true");
          await page.getByTestId("logout").waitFor({ state: "visible" });
          expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")))
            .toBe("refresh");
          await page.keyboard.press("Escape");
          expect(await toggle.getAttribute("aria-expanded")).toBe("false");
          await page.getByTestId("logout").waitFor({ state: "hidden" });
          expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")))
            .toBe("header-menu-toggle");
          await page.screenshot({ path: join(SHOTS, shotPrefix + "e2e-staff-header-390.png") });

          await page.getByTestId("staff-sync").click();
          await page.getByTestId("command-accepted")
            .or(page.locator('[data-testid="live-run"][data-status="running"]'))
            .first().waitFor({ timeout: 30_000 });
          const run = await waitForRun(
            (r) => !before.has(r.id) && ["completed", "failed"].includes(String(r.status)),
            120_000,
          );
          expect(run.status).toBe("completed");
          // The run is shown finished and "Orden enviada" is gone with it.
          await page.locator(
            `[data-testid="live-run"][data-run-id="${run.id}"][data-status="completed"]`,
          ).waitFor({ timeout: 30_000 });
          expect(await page.getByTestId("command-accepted").count()).toBe(0);
          await page.screenshot({
            path: join(SHOTS, shotPrefix + "e2e-staff-390.png"),
            fullPage: true,
          });
          const overflows = await page.evaluate(() =>
            document.documentElement.scrollWidth > globalThis.innerWidth + 1
          );
          expect(overflows).toBe(false);
        } finally {
          await context.close();
        }
      },
      180_000,
    );

    test(
      "the service worker registers and the offline screen shows when the network is cut",
      async () => {
        const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
        const page = await context.newPage();
        try {
          await page.goto(web.url);
          const registered = await page.evaluate(async () => {
            const registration = await navigator.serviceWorker.ready;
            return Boolean(registration.active);
          });
          expect(registered).toBe(true);
          await context.setOffline(true);
          await page.reload().catch(() => {});
          await page.getByTestId("offline-screen").waitFor({ timeout: 20_000 });
          await page.screenshot({ path: join(SHOTS, shotPrefix + "e2e-offline.png") });
          await context.setOffline(false);
          await page.getByTestId("login-screen").waitFor({ timeout: 30_000 });
        } finally {
          await context.close();
        }
      },
      120_000,
    );
  });
}
