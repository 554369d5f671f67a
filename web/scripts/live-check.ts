// Live-path check of the built app in Chromium: the devstack's Pusher stand-in, the fake backend, an agent
// joining presence-agents with pusher-js, and run events triggered with the pusher SDK. It proves the
// realtime store follows events, presence, and re-reads the database after the socket drops.
// Run: `npx bun web/scripts/live-check.ts` after a build. Exits 1 on the first failed expectation.
import type { Page } from "playwright-core";
import PusherServerSdk from "pusher";
import PusherClient from "pusher-js";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startPusherServer } from "../../devstack/src/pusher/server.ts";
import { activeRun, AGENT, rpc, RUN, signChannel, startFakeBackend } from "./fake-backend.ts";
import { launchChromium } from "../../devstack/src/chromium.ts";

const webDir = join(import.meta.dirname, "..");
const out = join(webDir, "test-results");
mkdirSync(out, { recursive: true });
const RUN2 = "66666666-6666-4666-8666-666666666666";

const pusherServer = await startPusherServer({
  appId: "1",
  key: "live-key",
  secret: "live-secret",
});
const pusherInfo = {
  key: pusherServer.key,
  secret: pusherServer.secret,
  host: pusherServer.host,
  port: pusherServer.port,
};
const backend = startFakeBackend(join(webDir, "dist"), pusherInfo);
const sdk = new PusherServerSdk({
  appId: pusherServer.appId,
  key: pusherServer.key,
  secret: pusherServer.secret,
  host: pusherServer.host,
  port: String(pusherServer.port),
  useTLS: false,
});
const browser = await launchChromium();
let agent: PusherClient | null = null;

async function expectAttr(page: Page, selector: string, name: string, value: string, what: string) {
  try {
    await page.waitForFunction(
      ([s, n, v]) => document.querySelector(s!)?.getAttribute(n!) === v,
      [selector, name, value],
      { timeout: 10_000 },
    );
    console.log(`ok: ${what}`);
  } catch {
    const actual = await page.evaluate(
      ([s, n]) => document.querySelector(s!)?.getAttribute(n!) ?? null,
      [selector, name],
    );
    throw new Error(`${what}: expected ${selector} ${name}=${value}, got ${actual}`);
  }
}

async function expectText(page: Page, testId: string, text: string, what: string) {
  await page.waitForFunction(
    ([id, t]) =>
      document.querySelector(`[data-testid="${id}"]`)?.textContent?.includes(t!) === true,
    [testId, text],
    { timeout: 10_000 },
  ).catch(() => {
    throw new Error(`${what}: [data-testid=${testId}] never contained "${text}"`);
  });
  console.log(`ok: ${what}`);
}

function joinAsAgent(): PusherClient {
  const client = new PusherClient(pusherInfo.key, {
    cluster: "mt1",
    wsHost: pusherInfo.host,
    wsPort: pusherInfo.port,
    forceTLS: false,
    enabledTransports: ["ws"],
    disableStats: true,
    channelAuthorization: {
      endpoint: "",
      transport: "ajax",
      customHandler: ({ socketId, channelName }, callback) => {
        const data = JSON.stringify({
          user_id: AGENT,
          user_info: { name: "Oficina central", hostname: "OFICINA-PC", version: "1.0.0" },
        });
        callback(null, signChannel(pusherInfo, socketId, channelName, data));
      },
    },
  });
  client.subscribe("presence-agents");
  return client;
}

const progress = (done: number, at: string) => ({
  runId: RUN,
  agentId: AGENT,
  source: "ferrawin",
  mode: "year",
  status: "running",
  total: 3120,
  done,
  counts: { planillas: { created: 1, updated: 0, unchanged: done - 1, deleted: 0, rejected: 0 } },
  ratePerS: 9.5,
  lastItem: { code: "2025-000999", cliente: "Cliente en vivo", obra: "Obra en vivo" },
  updatedAt: at,
});

let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
  await page.goto(backend.url);
  await page.getByTestId("login-email").fill("admin@puente.test");
  await page.getByTestId("login-password").fill("secret");
  await page.getByTestId("login-submit").click();
  await expectAttr(
    page,
    "[data-testid=connection-badge]",
    "data-state",
    "connected",
    "socket connects with channel auth",
  );

  await page.getByTestId("nav-agents").click();
  await expectAttr(
    page,
    `[data-testid=agent-row-${AGENT}]`,
    "data-online",
    "false",
    "agent starts offline",
  );
  agent = joinAsAgent();
  await expectAttr(
    page,
    `[data-testid=agent-row-${AGENT}]`,
    "data-online",
    "true",
    "agent shows online through presence",
  );
  await page.getByTestId("nav-sync").click();

  await sdk.trigger(
    "private-sync-status",
    "run.progress",
    progress(2000, new Date().toISOString()),
  );
  await expectText(page, "run-done-total", "2000", "run.progress moves done/total");
  await expectText(
    page,
    "run-last-item",
    "Cliente en vivo",
    "run.progress shows the last planilla's client",
  );
  await sdk.trigger(
    "private-sync-status",
    "run.progress",
    progress(2100, new Date().toISOString()),
  );
  await page.getByTestId("throughput-chart").waitFor({ timeout: 10_000 });
  console.log("ok: throughput chart appears after two samples");

  await sdk.trigger("private-sync-status", "run.finished", {
    runId: RUN,
    agentId: AGENT,
    source: "ferrawin",
    status: "completed",
    done: 3120,
    total: 3120,
    counts: activeRun.counts,
    error: null,
    finishedAt: new Date().toISOString(),
  });
  await expectAttr(
    page,
    "[data-testid=live-run]",
    "data-status",
    "completed",
    "run.finished marks the run completed",
  );

  // A run the page never heard about: only a re-read after reconnecting can show it.
  const overview = rpc.sync_overview as { activeRuns: unknown[] };
  overview.activeRuns = [{
    ...activeRun,
    id: RUN2,
    done: 777,
    updatedAt: new Date().toISOString(),
  }];
  pusherServer.dropAll();
  await expectAttr(
    page,
    "[data-testid=live-run]",
    "data-run-id",
    RUN2,
    "reconnect re-reads the database",
  );
  await expectAttr(
    page,
    "[data-testid=connection-badge]",
    "data-state",
    "connected",
    "socket reconnects",
  );

  agent.disconnect();
  agent = null;
  await page.getByTestId("nav-agents").click();
  await expectAttr(
    page,
    `[data-testid=agent-row-${AGENT}]`,
    "data-online",
    "false",
    "agent goes offline when it leaves",
  );
  await page.getByTestId("nav-sync").click();

  await page.getByTestId("start-incremental").click();
  await page.getByTestId("command-accepted").waitFor({ timeout: 10_000 });
  const command = backend.commands.at(-1) as Record<string, unknown> | undefined;
  if (
    command?.["source"] !== "ferrawin" || command["action"] !== "start" ||
    (command["params"] as { mode?: string })?.mode !== "incremental" || command["agentId"] !== AGENT
  ) throw new Error(`start-incremental sent ${JSON.stringify(command)}`);
  console.log("ok: Nuevas y modificadas sends a valid CommandRequest");
  await page.screenshot({ path: join(out, "live-check-1280x800.png"), fullPage: true });
} catch (error) {
  failed = true;
  console.error(`FAILED: ${error instanceof Error ? error.message : error}`);
} finally {
  agent?.disconnect();
  await browser.close();
  backend.stop();
  await pusherServer.stop();
}
process.exit(failed ? 1 : 0);
