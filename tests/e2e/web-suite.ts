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
          await page.getByTestId("command-accepted").waitFor();
          const liveRun = page.getByTestId("live-run");
          await liveRun.waitFor({ timeout: 30_000 });
          await page.screenshot({ path: join(SHOTS, shotPrefix + "e2e-admin-running.png") });
          const shown = new Set<string>();
          const progress = page.getByTestId("run-done-total");
          for (let i = 0; i < 400 && !/(\d[\d.,]*) de \1\b/.test([...shown].at(-1) ?? ""); i++) {
            const text = await progress.first().textContent({ timeout: 1000 }).catch(() => null);
            if (text) shown.add(text.trim());
            await Bun.sleep(50);
          }
          stack.sqlserver.setRowDelay(0);
          // The screen moved through more than one progress value, ending at done = total.
          expect(shown.size).toBeGreaterThanOrEqual(2);
          const run = await waitForRun((r) => r.status === "completed");
          await page.getByTestId("history-row-" + run.id).or(
            page.getByTestId("live-run").filter({ hasText: /Finalizado|Completed|Completado/i }),
          )
            .first().waitFor({ timeout: 30_000 }).catch(() => {});
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
          await page.getByTestId(`history-row-${run.id}`).getByTestId("history-open").click();
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
        await page.getByTestId("run-pause").click({ timeout: 30_000 });
        const paused = await waitForRun((r) => r.status === "paused", 60_000);
        await page.screenshot({ path: join(SHOTS, shotPrefix + "e2e-admin-paused.png") });
        stack.sqlserver.setRowDelay(0);
        await page.getByTestId("run-resume").click({ timeout: 30_000 });
        await waitForRun((r) => r.id === paused.id && r.status === "completed", 120_000);
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
          await page.getByTestId("staff-sync").click();
          await page.getByTestId("command-accepted").waitFor();
          const run = await waitForRun(
            (r) => !before.has(r.id) && ["completed", "failed"].includes(String(r.status)),
            120_000,
          );
          expect(run.status).toBe("completed");
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
