// Issue 20, finding 6: the built web app carries a strict Content-Security-Policy, and the real app,
// signed in against the devstack with live Pusher, runs in Chromium without a single violation, while
// an inline script injected into the page is refused.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { launchChromium } from "../../devstack/src/chromium.ts";
import { ensureWebBuild, startWebServer, WEB_DIST } from "../../devstack/src/web-server.ts";
import { CONTENT_SECURITY_POLICY } from "../../web/src/csp.ts";
import { caughtMail } from "../integration/wispro-support.ts";
import { bootStack, type Stack, supabaseFor } from "./support.ts";

let stack: Stack;
let web: ReturnType<typeof startWebServer>;
let browser: Browser;

beforeAll(async () => {
  await ensureWebBuild();
  stack = await bootStack();
  web = startWebServer({ info: stack.info });
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await stack?.stop();
});

describe("Content-Security-Policy", () => {
  test("the built index.html carries it first in <head>; no inline script or style is allowed", () => {
    const html = readFileSync(join(WEB_DIST, "index.html"), "utf8");
    const head = html.slice(html.indexOf("<head>"), html.indexOf("</head>"));
    const firstTag = /<(\w+)[^>]*>/.exec(head.slice("<head>".length))?.[0] ?? "";
    expect(firstTag).toContain('http-equiv="Content-Security-Policy"');
    for (const directive of ["script-src 'self'", "style-src 'self'", "object-src 'none'"]) {
      expect(CONTENT_SECURITY_POLICY).toContain(directive);
    }
    const sources = CONTENT_SECURITY_POLICY.split(";").flatMap((d) =>
      d.trim().split(/\s+/).slice(1)
    );
    for (
      const loose of ["*", "'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "http:", "ws:"]
    ) {
      expect(sources).not.toContain(loose);
    }
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self';/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  test(
    "the app signs in, follows Pusher and shows its screens with no violation; injected code is refused",
    async () => {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on("console", (message) => {
        if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
      });
      await page.addInitScript(() => {
        document.addEventListener("securitypolicyviolation", (event) => {
          const list = ((globalThis as Record<string, unknown>).__cspViolations ??= []) as string[];
          list.push(`${event.violatedDirective} ${event.blockedURI}`);
        });
      });
      try {
        await page.goto(web.url);
        await page.getByTestId("login-email").fill(stack.info.users.admin.email);
        await page.getByTestId("login-password").fill(stack.info.users.admin.password);
        await page.getByTestId("login-submit").click();
        await page.getByTestId("admin-layout").waitFor({ timeout: 30_000 });
        // Let the realtime store connect and subscribe (Pusher socket, channel auth through the edge).
        await page.waitForTimeout(2_000);
        const seen = await page.evaluate(() =>
          ((globalThis as Record<string, unknown>).__cspViolations ?? []) as string[]
        );
        expect([...violations, ...seen]).toEqual([]);

        // The policy is in force: an inline script, an inline handler and an inline <style> are refused.
        const ran = await page.evaluate(async () => {
          const scope = globalThis as Record<string, unknown>;
          const script = document.createElement("script");
          script.textContent = "globalThis.__inlineRan = true";
          document.body.appendChild(script);
          const holder = document.createElement("div");
          holder.innerHTML = '<img src="data:," onerror="globalThis.__handlerRan = true">';
          document.body.appendChild(holder);
          const style = document.createElement("style");
          style.textContent = "body { --puente-csp-probe: injected; }";
          document.head.appendChild(style);
          await new Promise((resolve) => setTimeout(resolve, 300));
          return {
            inline: scope.__inlineRan === true,
            handler: scope.__handlerRan === true,
            style: getComputedStyle(document.body).getPropertyValue("--puente-csp-probe").trim(),
          };
        });
        expect(ran).toEqual({ inline: false, handler: false, style: "" });
        const after = await page.evaluate(() =>
          ((globalThis as Record<string, unknown>).__cspViolations ?? []) as string[]
        );
        expect(after.some((v) => v.startsWith("script-src"))).toBe(true);
      } finally {
        await page.close();
      }
    },
    120_000,
  );

  test(
    "an invite link opens the set-password screen, where the person chooses a password, under the CSP",
    async () => {
      const service = (await import("@supabase/supabase-js")).createClient(
        stack.info.supabaseUrl,
        stack.info.serviceRoleKey,
        { auth: { persistSession: false, autoRefreshToken: false } },
      );
      const email = "invitada@example.com";
      expect(
        (await service.auth.admin.createUser({ email, app_metadata: { role: "customer" } })).error,
      ).toBeNull();
      expect((await service.auth.admin.inviteUserByEmail(email, { redirectTo: web.url })).error)
        .toBeNull();
      const link = (await caughtMail(stack.info, email))[0]!.link;
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on("console", (message) => {
        if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
      });
      try {
        await page.goto(link);
        await page.getByTestId("set-password-screen").waitFor({ timeout: 30_000 });
        await page.getByTestId("new-password").fill("clave-elegida");
        await page.getByTestId("repeat-password").fill("clave-distinta");
        await page.getByTestId("set-password-submit").click();
        await page.getByTestId("set-password-problem").waitFor();
        await page.getByTestId("repeat-password").fill("clave-elegida");
        await page.getByTestId("set-password-submit").click();
        await page.getByTestId("password-saved").waitFor({ timeout: 20_000 });
        expect(violations).toEqual([]);
      } finally {
        await page.close();
      }
      const signIn = await supabaseFor(stack.info).auth.signInWithPassword({
        email,
        password: "clave-elegida",
      });
      expect(signIn.error).toBeNull();
      expect(signIn.data.user?.app_metadata.role).toBe("customer");
    },
    120_000,
  );
});
