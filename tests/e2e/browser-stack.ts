// What the browser tests stand on: the devstack, the built web app served at the origin the edge answers
// CORS for, the agent daemon, and Chromium; `login` signs a demo user in as a person does; `stop` ends
// all of it, also after a start that failed halfway.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../../devstack/src/chromium.ts";
import { type Stack, type StackOptions, startStack } from "../../devstack/src/stack.ts";
import { agentSpawnOptions, newAgentHome } from "../../devstack/src/agent-process.ts";
import { ensureWebBuild, startWebServer } from "../../devstack/src/web-server.ts";
import { freePort } from "../../devstack/src/postgres/system-cluster.ts";
import { killWhenOwnerExits } from "../../devstack/src/process-guard.ts";

/** Where the browser tests write their screenshots. */
export const SHOTS = join(import.meta.dir, "..", "..", "web", "test-results");

export interface BrowserStack {
  stack: Stack;
  web: ReturnType<typeof startWebServer>;
  browser: Browser;
  login(page: Page, who: "admin" | "staff"): Promise<void>;
  stop(): Promise<void>;
}

export async function startBrowserStack(
  options: Omit<StackOptions, "webOrigin">,
): Promise<BrowserStack> {
  mkdirSync(SHOTS, { recursive: true });
  await ensureWebBuild();
  const webPort = await freePort();
  let stack: Stack | undefined;
  let web: ReturnType<typeof startWebServer> | undefined;
  let agent: ReturnType<typeof Bun.spawn> | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    agent?.kill("SIGTERM");
    await agent?.exited;
    await web?.stop();
    await stack?.stop();
  };
  try {
    stack = await startStack({ ...options, webOrigin: `http://127.0.0.1:${webPort}` });
    web = startWebServer({ info: stack.info, port: webPort });
    agent = Bun.spawn({
      ...agentSpawnOptions(stack.info, ["run"], newAgentHome()),
      stdio: ["ignore", "ignore", "inherit"],
    });
    killWhenOwnerExits(agent.pid);
    browser = await launchChromium();
  } catch (error) {
    await stop();
    throw error;
  }
  const started = { stack, web, browser };
  return {
    ...started,
    async login(page, who) {
      await page.goto(started.web.url);
      await page.getByTestId("login-email").fill(started.stack.info.users[who].email);
      await page.getByTestId("login-password").fill(started.stack.info.users[who].password);
      await page.getByTestId("login-submit").click();
      await page.getByTestId(who === "admin" ? "admin-layout" : "staff-layout").waitFor({
        timeout: 20_000,
      });
    },
    stop,
  };
}
