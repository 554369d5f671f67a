// `npm run demo` as a newcomer runs it (issue #10): it reaches its ready line; an admin signs in through
// the gateway, starts a year sync through the edge API as the web panel does, and the run completes with
// the counts the generated FerraWin fixture holds for that year (read from the SQL Server stand-in over
// tedious, not from the run); Ctrl-C stops everything it started; and running it again works.
import { afterAll, describe, expect, test } from "bun:test";
import { createClient } from "@supabase/supabase-js";
import { CommandAccepted, CommandRequest, RunSummary } from "@puente/protocol";
import { join } from "node:path";
import { REPO_ROOT } from "../demo/ready-process.ts";
import {
  busiestFixtureYear,
  fixtureCounts,
  listRuns,
  running,
  signInAdmin,
  startDemo,
  step,
  stopDemo,
} from "../demo/demo-run.ts";

afterAll(() => {
  // Only reached with something still running when a test failed midway.
  for (const demo of running) demo.kill();
});

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

      const supabase = await signInAdmin(ready);
      const accessToken = (await supabase.auth.getSession()).data.session!.access_token;
      step(`signed in as ${ready.users.admin.email} through the gateway`);

      const year = await busiestFixtureYear(ready);
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
          authorization: `Bearer ${accessToken}`,
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
        run = (await listRuns(supabase, "ferrawin")).find((r) =>
          r.commandId === accepted.commandId
        );
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
