// Issue 24's "done means", in headless Chromium against the devstack with the agent daemon running: a
// planilla is edited in the FerraWin stand-in (a bar added, a quantity changed, a label changed) and an
// incremental sync runs; staff on a phone find it by its short code and read a journal entry with exactly
// those changes; after a second edit they press "Sincronizar esta planilla" and the open screen follows
// the sync over Pusher to the new entry, without reloading.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import postgres from "postgres";
import { createClient } from "@supabase/supabase-js";
import { CommandAccepted, CommandRequest } from "@puente/protocol";
import type { Stack } from "../../devstack/src/stack.ts";
import { type BrowserStack, SHOTS, startBrowserStack } from "./browser-stack.ts";

/** The added bar's weight, and how the journal line says it in Spanish. */
const ADDED_WEIGHT_KG = 12.5;
const ADDED_WEIGHT_TEXT = "+12,5 kg";

let started: BrowserStack;
let stack: Stack;

beforeAll(async () => {
  started = await startBrowserStack({ planillas: 30, seed: 24 });
  stack = started.stack;
}, 240_000);

afterAll(async () => {
  await started?.stop();
});

/** Sends a FerraWin command as the admin's panel does and waits for its run to end; returns the run. */
async function syncAsAdmin(params: Record<string, unknown>) {
  const supabase = createClient(stack.info.supabaseUrl, stack.info.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const login = await supabase.auth.signInWithPassword(stack.info.users.admin);
  expect(login.error).toBeNull();
  const command = CommandRequest.parse({
    requestId: crypto.randomUUID(),
    agentId: stack.info.agent.id,
    source: "ferrawin",
    action: "start",
    params,
  });
  const answer = await fetch(`${stack.info.functionsUrl}/commands`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${login.data.session!.access_token}`,
      apikey: stack.info.anonKey,
    },
    body: JSON.stringify(command),
  });
  expect(answer.status).toBe(201);
  const { commandId } = CommandAccepted.parse(await answer.json());
  return await waitForRun("command_id = $1", [commandId]);
}

async function waitForRun(where: string, params: unknown[], timeoutMs = 120_000) {
  const sql = postgres(stack.info.dbUrl, { max: 1, onnotice: () => {} });
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const [run] = await sql.unsafe(
        `select id::text, status, mode from public.runs where ${where} order by created_at desc limit 1`,
        params as never[],
      );
      if (run && ["completed", "failed", "cancelled"].includes(run.status)) {
        return run as unknown as { id: string; status: string; mode: string };
      }
      await Bun.sleep(250);
    }
    throw new Error(`no run (${where}) ended in time`);
  } finally {
    await sql.end();
  }
}

interface Bar {
  zcodlin: string;
  zelemento: string;
  zcantidad: number;
  zdiametro: number;
  etiqueta: string | null;
}

/** A stored planilla with at least two bars that carry their own weight, and those bars in source order. */
async function pickPlanilla() {
  const db = postgres(stack.info.dbUrl, { max: 1, onnotice: () => {} });
  const ferrawin = postgres(stack.ferrawinUrl, { max: 1, onnotice: () => {} });
  try {
    const stored = await db<{ codigo: string }[]>`
      select codigo from public.planillas where elementos_count >= 3 order by codigo`;
    for (const { codigo } of stored) {
      const [year, number] = codigo.split("-") as [string, string];
      const bars = await ferrawin<Bar[]>`
        select trim(b.zcodlin) as zcodlin, trim(b.zelemento) as zelemento, b.zcantidad,
          b.zdiametro::int as zdiametro,
          (select min(trim(o.zetiqueta)) from ferrawin.prod_deto o
            where o.zconta = b.zconta and ltrim(o.zcodpla, '0') = ltrim(b.zcodigo, '0')
              and o.zcodlin = b.zcodlin and o.zelemento = b.zelemento) as etiqueta
        from ferrawin.ord_bar b
        where b.zconta = ${year} and ltrim(b.zcodigo, '0') = ${String(Number(number))}
          and b.zpesotestd is not null and b.zcantidad is not null
          and trim(coalesce(b.zcodlin, '')) <> '' and trim(coalesce(b.zelemento, '')) <> ''
          and (coalesce(b.zfigura::text, '') collate "C") not like ${"1\t0d\t1\t0d%"}
        order by b.zcodlin, b.zelemento`;
      const labelled = bars.filter((b) => b.etiqueta);
      // The quantity changes on the first bar, the label on a later one: the journal lists them in that order.
      const labelBar = labelled.at(-1);
      if (bars.length >= 2 && labelBar && labelBar !== bars[0]) {
        return { codigo, year, number, quantityBar: bars[0]!, labelBar };
      }
    }
    throw new Error("no stored planilla with two weighed bars and a label");
  } finally {
    await db.end();
    await ferrawin.end();
  }
}

/** The code nearest above `number` in `year` that is not stored: a near miss of an existing planilla. */
async function missingNearby(year: string, number: number): Promise<string> {
  const db = postgres(stack.info.dbUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await db<{ codigo: string }[]>`
      select codigo from public.planillas where zconta = ${Number(year)}`;
    const stored = new Set(rows.map((r) => r.codigo));
    for (let n = number + 1;; n++) {
      const code = `${year}-${String(n).padStart(6, "0")}`;
      if (!stored.has(code)) return code;
    }
  } finally {
    await db.end();
  }
}

test(
  "staff find an edited planilla by its short code, read exactly its changes, and follow a re-sync live",
  async () => {
    const first = await syncAsAdmin({ mode: "all" });
    expect(first.status).toBe("completed");
    const picked = await pickPlanilla();
    const { codigo, year, number, quantityBar: q, labelBar: l } = picked;
    const short = `${year.slice(2)}-${Number(number)}`;
    const newLabel = `${l.etiqueta}-B`;
    const newCodlin = "ZZ9";

    // The edit in FerraWin: one bar added (last in source order), one quantity up by 4, one label changed.
    const ferrawin = postgres(stack.ferrawinUrl, { max: 1, onnotice: () => {} });
    try {
      await ferrawin`
        insert into ferrawin.ord_bar (zconta, zcodigo, zorden, zcodlin, zelemento, zmarca, zdiametro,
          zcodmodelo, zlongtestd, znumbend, zcantidad, zpesotestd, zfigura, zfechacalc)
        select zconta, zcodigo, zorden + 1000, ${newCodlin}, '1', 'NUEVA', zdiametro, zcodmodelo,
          zlongtestd, znumbend, 5, ${ADDED_WEIGHT_KG}, zfigura, zfechacalc
        from ferrawin.ord_bar
        where zconta = ${year} and ltrim(zcodigo, '0') = ${String(Number(number))}
          and trim(zcodlin) = ${q.zcodlin} and trim(zelemento) = ${q.zelemento}`;
      await ferrawin`
        update ferrawin.ord_bar set zcantidad = zcantidad + 4
        where zconta = ${year} and ltrim(zcodigo, '0') = ${String(Number(number))}
          and trim(zcodlin) = ${q.zcodlin} and trim(zelemento) = ${q.zelemento}`;
      await ferrawin`
        update ferrawin.prod_deto set zetiqueta = ${newLabel}
        where zconta = ${year} and ltrim(zcodpla, '0') = ${String(Number(number))}
          and trim(zcodlin) = ${l.zcodlin} and trim(zelemento) = ${l.zelemento}`;
    } finally {
      await ferrawin.end();
    }
    const incremental = await syncAsAdmin({ mode: "incremental" });
    expect(incremental.status).toBe("completed");

    const page = await started.browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await started.login(page, "staff");
      // A marker on the window: a reload or a navigation would lose it.
      await page.evaluate(() => ((globalThis as Record<string, unknown>).planillasMarker = 24));
      await page.getByTestId("open-planillas").click();
      // A code that does not exist says so, and its near misses open with one tap.
      const missing = await missingNearby(year, Number(number));
      await page.getByTestId("planillas-query").fill(missing);
      await page.getByTestId("planillas-search-submit").click();
      const notFound = page.getByTestId("planillas-not-found");
      await notFound.waitFor({ timeout: 20_000 });
      expect(await notFound.locator("strong").first().textContent()).toBe(
        `La planilla ${missing} no existe en la nube.`,
      );
      const suggestion = notFound.getByTestId("planillas-suggestion").first();
      const suggested = await suggestion.getAttribute("data-codigo");
      expect(suggested).toMatch(/^\d{4}-\d{6}$/);
      await suggestion.click();
      await page.locator(`[data-testid=planilla-view][data-codigo="${suggested}"]`).waitFor();

      await page.getByTestId("planillas-query").fill(short);
      await page.getByTestId("planillas-search-submit").click();
      // The suggestion's planilla stays on screen until the search answers: wait for this one.
      await page.locator(`[data-testid=planilla-view][data-codigo="${codigo}"]`).waitFor({
        timeout: 20_000,
      });
      expect(await page.getByTestId("planilla-codigo").textContent()).toBe(codigo);
      await page.getByTestId("journal-entry").first().waitFor({ timeout: 20_000 });

      // Newest first: the incremental run's entry, then the entry of the sync that created it.
      const lines = () => page.getByTestId("journal-line").allTextContents();
      const expectedLine =
        `+1 elemento, ${q.zcantidad} → ${q.zcantidad + 4} barras de Ø${q.zdiametro}, ` +
        `etiqueta ${l.etiqueta} → ${newLabel}, ${ADDED_WEIGHT_TEXT}`;
      expect(await lines()).toEqual([
        expectedLine,
        expect.stringMatching(/^Nueva en la nube: \d+ elementos, [\d.,]+ kg$/),
      ]);
      expect(await page.getByTestId("planilla-last-run").getAttribute("data-run-id")).toBe(
        incremental.id,
      );
      expect(await page.getByTestId("planilla-in-cloud").getAttribute("data-in-cloud")).toBe(
        "true",
      );

      // The entry's full diff: the added bar, the two changed fields old → new, the weight.
      const entry = page.getByTestId("journal-entry").first();
      await entry.getByTestId("journal-open").click();
      const diff = entry.getByTestId("journal-diff");
      await diff.waitFor();
      const addedRows = diff.getByTestId("diff-added").getByTestId("elemento-row");
      expect(
        await addedRows.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-ferrawin-id"))),
      )
        .toEqual([`${newCodlin}-1`]);
      expect(await addedRows.first().getByTestId("elemento-barras").textContent()).toBe("5");
      const changed = await diff.getByTestId("diff-changed").evaluateAll((blocks) =>
        blocks.map((b) => ({
          id: b.getAttribute("data-ferrawin-id"),
          rows: [...b.querySelectorAll("[data-testid=diff-row]")].map((r) =>
            [...r.children].map((c) => c.textContent)
          ),
        }))
      );
      expect(changed).toEqual([
        {
          id: `${q.zcodlin}-${q.zelemento}`,
          rows: [["barras", String(q.zcantidad), String(q.zcantidad + 4)]],
        },
        { id: `${l.zcodlin}-${l.zelemento}`, rows: [["etiqueta", l.etiqueta!, newLabel]] },
      ]);
      expect(await diff.getByTestId("diff-peso").textContent()).toMatch(
        /^Peso: [\d.,]+ → [\d.,]+ kg$/,
      );
      await page.screenshot({ path: join(SHOTS, "e2e-planillas-journal.png"), fullPage: true });

      // A second edit, then "Sincronizar esta planilla": the open screen follows the run over Pusher.
      const ferrawin2 = postgres(stack.ferrawinUrl, { max: 1, onnotice: () => {} });
      try {
        await ferrawin2`
          update ferrawin.ord_bar set zcantidad = zcantidad + 2
          where zconta = ${year} and ltrim(zcodigo, '0') = ${String(Number(number))}
            and trim(zcodlin) = ${q.zcodlin} and trim(zelemento) = ${q.zelemento}`;
      } finally {
        await ferrawin2.end();
      }
      await page.getByTestId("planilla-sync").click();
      await page.getByTestId("planilla-sync-sent").waitFor({ timeout: 20_000 });
      const one = await waitForRun("mode = 'one'", []);
      expect(one.status).toBe("completed");
      await page.getByTestId("journal-entry").nth(2).waitFor({ timeout: 60_000 });
      expect((await lines())[0]).toBe(
        `${q.zcantidad + 4} → ${q.zcantidad + 6} barras de Ø${q.zdiametro}`,
      );
      await page.getByTestId("planilla-sync-sent").waitFor({ state: "detached", timeout: 20_000 });
      await page.locator(`[data-testid=planilla-last-run][data-run-id="${one.id}"]`).waitFor({
        timeout: 20_000,
      });
      const row = page.locator(
        `[data-testid=planilla-elementos-table] [data-ferrawin-id="${q.zcodlin}-${q.zelemento}"]`,
      );
      expect(await row.getByTestId("elemento-barras").textContent()).toBe(String(q.zcantidad + 6));
      expect(await page.evaluate(() => (globalThis as Record<string, unknown>).planillasMarker))
        .toBe(24);
      await page.screenshot({ path: join(SHOTS, "e2e-planillas-live.png"), fullPage: true });
    } finally {
      await page.close();
    }
  },
  400_000,
);
