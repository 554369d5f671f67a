// Visual check of the built app: serves web/dist beside a fake backend (fake-backend.ts), drives
// Chromium with playwright-core, and saves screenshots to web/test-results/.
// Also fails when a screen scrolls sideways at 360 px. Run: `npx bun web/scripts/screenshots.ts` after a build.
import type { Page } from "playwright-core";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { startFakeBackend } from "./fake-backend.ts";
import { launchChromium } from "../../devstack/src/chromium.ts";

const webDir = join(import.meta.dirname, "..");
const dist = join(webDir, "dist");
const out = join(webDir, "test-results");
mkdirSync(out, { recursive: true });
/** Committed beside the web README and shown in the main README's "Planillas" section. */
const README_TIMELINE = join(webDir, "screenshots", "planillas-timeline.png");
mkdirSync(join(webDir, "screenshots"), { recursive: true });
if (!existsSync(join(dist, "index.html"))) throw new Error("build first: npm run build -w web");

const server = startFakeBackend(dist);

const browser = await launchChromium();
const problems: string[] = [];

/** Clicks a header action; on a phone it sits behind the "Menú" button, which is opened first. */
async function headerAction(page: Page, testId: string) {
  const toggle = page.getByTestId("header-menu-toggle");
  if (await toggle.isVisible()) await toggle.click();
  await page.getByTestId(testId).click();
}

async function noSideScroll(page: Page, label: string) {
  const { scroll, client, culprit } = await page.evaluate(() => {
    const client = document.documentElement.clientWidth;
    // The innermost element sticking out names the culprit.
    const out = [...document.querySelectorAll("body *")].filter((e) =>
      e.getBoundingClientRect().right > client + 1
    );
    const last = out[0];
    const culprit = last
      ? `${last.tagName.toLowerCase()}.${last.className}[${last.getAttribute("data-testid") ?? ""}]`
      : "";
    return { scroll: document.documentElement.scrollWidth, client, culprit };
  });
  if (scroll > client) {
    problems.push(`${label}: content is ${scroll}px wide in a ${client}px viewport (${culprit})`);
  }
}

async function login(page: Page, who: "admin" | "staff") {
  await page.goto(`${server.url}`);
  await page.getByTestId("login-email").fill(`${who}@puente.test`);
  await page.getByTestId("login-password").fill("secret");
  await page.getByTestId("login-submit").click();
  await page.getByTestId(who === "admin" ? "admin-layout" : "staff-layout").waitFor();
  await page.getByTestId("live-run").waitFor();
}

try {
  for (const [w, h] of [[1280, 800], [390, 844], [360, 740]] as const) {
    const context = await browser.newContext({ viewport: { width: w, height: h } });
    const page = await context.newPage();
    page.on("pageerror", (e) => problems.push(`page error at ${w}px: ${e.message}`));
    await page.goto(`${server.url}`);
    await page.getByTestId("login-form").waitFor();
    await page.screenshot({ path: join(out, `login-${w}x${h}.png`) });
    await noSideScroll(page, `login ${w}px`);

    await login(page, "admin");
    await page.screenshot({ path: join(out, `admin-sync-${w}x${h}.png`), fullPage: true });
    await noSideScroll(page, `admin ${w}px`);
    await page.getByTestId("run-open-detail").first().click();
    await page.getByTestId("log-line").first().waitFor();
    await page.screenshot({ path: join(out, `admin-live-detail-${w}x${h}.png`), fullPage: true });
    await noSideScroll(page, `live detail ${w}px`);
    await page.getByTestId("run-open-detail").first().click();
    await page.getByTestId("run-detail").waitFor({ state: "detached" });
    await page.getByTestId("start-year").click();
    await page.getByTestId("year-confirm").waitFor();
    await page.screenshot({ path: join(out, `admin-year-confirm-${w}x${h}.png`) });
    await page.getByTestId("year-cancel").click();
    await page.getByTestId("planilla-input").fill("2026-88x");
    await page.getByTestId("planilla-submit").click();
    await page.getByTestId("planilla-error").waitFor();
    await page.getByTestId("nav-agents").click();
    await page.getByTestId("agents-table").waitFor();
    await page.screenshot({ path: join(out, `admin-agents-${w}x${h}.png`), fullPage: true });
    await noSideScroll(page, `agents ${w}px`);
    await page.getByTestId("nav-planillas").click();
    await page.getByTestId("planillas-query").fill("25-7816");
    await page.getByTestId("planillas-search-submit").click();
    await page.getByTestId("journal-open").first().click();
    await page.getByTestId("journal-diff").waitFor();
    await page.screenshot({ path: join(out, `admin-planillas-${w}x${h}.png`), fullPage: true });
    await noSideScroll(page, `planillas ${w}px`);
    if (w === 1280) {
      // The README's picture of the timeline: the journal card alone, its newest entry opened.
      await page.getByTestId("planilla-journal").screenshot({ path: README_TIMELINE });
    }
    await page.getByTestId("nav-history").click();
    await page.getByTestId("history-open").first().click();
    await page.getByTestId("run-detail-tab-errors").click();
    await page.screenshot({ path: join(out, `admin-history-${w}x${h}.png`), fullPage: true });
    await noSideScroll(page, `history ${w}px`);
    await headerAction(page, "logout");

    await login(page, "staff");
    await page.screenshot({ path: join(out, `staff-${w}x${h}.png`), fullPage: true });
    await noSideScroll(page, `staff ${w}px`);
    await page.getByTestId("open-planillas").click();
    await page.getByTestId("planillas-query").fill("25-7816");
    await page.getByTestId("planillas-search-submit").click();
    await page.getByTestId("journal-line").first().waitFor();
    await page.screenshot({ path: join(out, `staff-planillas-${w}x${h}.png`) });
    await noSideScroll(page, `staff planillas ${w}px`);
    await page.getByTestId("close-planillas").click();
    await headerAction(page, "lang-switch");
    await page.waitForFunction(() => document.documentElement.lang === "en");
    await page.screenshot({ path: join(out, `staff-en-${w}x${h}.png`), fullPage: true });
    await noSideScroll(page, `staff English ${w}px`);
    await headerAction(page, "lang-switch");
    await headerAction(page, "logout");
    await page.getByTestId("login-form").waitFor();

    await context.setOffline(true);
    await page.evaluate(() => dispatchEvent(new Event("offline")));
    await page.getByTestId("offline-screen").waitFor();
    await page.screenshot({ path: join(out, `offline-${w}x${h}.png`) });
    await context.setOffline(false);
    await page.evaluate(() => dispatchEvent(new Event("online")));
    await page.getByTestId("offline-screen").waitFor({ state: "detached" });
    await context.close();
  }
} finally {
  await browser.close();
  server.stop();
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`screenshots written to ${out}`);
