// A FerraWin sync through the whole system: SQL Server stand-in → tedious → agent → edge → gateway →
// Postgres. What lands must equal what the source yields, and incremental runs send only changes.
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import {
  ferrawinItemsAll,
  type Stack,
  type SyncOutcome,
  syncOutcome,
  tableChecksums,
  useStack,
} from "./support.ts";
import { agentSpawnOptions } from "../../devstack/src/agent-process.ts";

let stack: Stack;
let agentHome: string;

useStack(() => ({ planillas: 150, seed: 11 }), (booted) => {
  stack = booted;
  agentHome = mkdtempSync(join(tmpdir(), "puente-sync-test-"));
});

/** `puente-agent sync ferrawin --json …` from source, as an admin would run it on the office PC. */
function sync(...args: string[]): Promise<SyncOutcome> {
  return syncOutcome(
    agentSpawnOptions(stack.info, ["sync", "ferrawin", "--json", ...args], agentHome),
  );
}

/** What the source yields for `all`, read through tedious independently of the agent's runner. */
async function sourceView() {
  const planillas = new Map<
    string,
    { elementos: number; entidades: number; peso: number; fingerprint: string }
  >();
  let rejects = 0;
  for await (const item of ferrawinItemsAll(stack.info)) {
    if (item.kind === "reject") rejects++;
    else {
      const p = item.planilla;
      planillas.set(p.codigo, {
        elementos: p.elementos.length,
        entidades: p.entidades.length,
        peso: p.peso_total_kg,
        fingerprint: p.fingerprint,
      });
    }
  }
  return { planillas, rejects };
}

async function databaseView() {
  const sql = postgres(stack.info.dbUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<
      { codigo: string; elementos: number; entidades: number; peso: string; fingerprint: string }[]
    >`
      select p.codigo, p.fingerprint, p.peso_total_kg::text as peso,
        (select count(*)::int from public.elementos e where e.planilla_codigo = p.codigo) as elementos,
        (select count(*)::int from public.entidades n where n.planilla_codigo = p.codigo) as entidades
      from public.planillas p`;
    return new Map(
      rows.map((
        r,
      ) => [r.codigo, {
        elementos: r.elementos,
        entidades: r.entidades,
        peso: Number(r.peso),
        fingerprint: r.fingerprint,
      }]),
    );
  } finally {
    await sql.end();
  }
}

describe("FerraWin sync through the whole system", () => {
  test("a full sync lands exactly what the source yields, and its counts add up", async () => {
    const outcome = await sync("--mode", "all");
    expect(outcome.status).toBe("completed");
    const [expected, stored] = await Promise.all([sourceView(), databaseView()]);
    expect(stored.size).toBe(expected.planillas.size);
    for (const [code, want] of expected.planillas) {
      const got = stored.get(code);
      expect({ code, ...got, peso: Number(got?.peso.toFixed(3)) }).toEqual({
        code,
        ...want,
        peso: Number(want.peso.toFixed(3)),
      });
    }
    const p = outcome.counts.planillas!;
    expect(p.created).toBe(expected.planillas.size);
    expect(p.rejected).toBe(expected.rejects);
    expect(outcome.counts.elementos!.created).toBe(
      [...expected.planillas.values()].reduce((n, v) => n + v.elementos, 0),
    );
  }, 120_000);

  test("an incremental run right after sends nothing and changes nothing", async () => {
    const before = await tableChecksums(stack.info.dbUrl);
    const outcome = await sync("--mode", "incremental");
    expect(outcome.status).toBe("completed");
    expect(outcome.done).toBe(0);
    const after = await tableChecksums(stack.info.dbUrl);
    for (
      const table of [
        "public.planillas",
        "public.elementos",
        "public.entidades",
        "public.clientes",
        "public.obras",
      ]
    ) {
      expect({ table, sum: after[table] }).toEqual({ table, sum: before[table] });
    }
  }, 120_000);

  test("after a planilla changes in FerraWin, incremental sends that one only", async () => {
    const stored = await databaseView();
    const code = [...stored.entries()].find(([, v]) => v.elementos > 0)![0];
    const [year, number] = code.split("-");
    const ferrawin = postgres(stack.ferrawinUrl, { max: 1, onnotice: () => {} });
    await ferrawin`update ferrawin.ord_bar set zcantidad = zcantidad + 1
      where zconta = ${year!} and ltrim(zcodigo, '0') = ${String(Number(number))}`;
    await ferrawin.end();
    const outcome = await sync("--mode", "incremental");
    expect(outcome.status).toBe("completed");
    const p = outcome.counts.planillas!;
    // Exactly one planilla went out; blank-key headers have no code to remember, so they are reported again.
    expect({ created: p.created, updated: p.updated, unchanged: p.unchanged }).toEqual({
      created: 0,
      updated: 1,
      unchanged: 0,
    });
    const sql = postgres(stack.info.dbUrl, { max: 1, onnotice: () => {} });
    const reasons = await sql<
      { reason: string }[]
    >`select reason from public.run_rejects where run_id = ${outcome.runId}`;
    await sql.end();
    expect(reasons.length).toBe(p.rejected);
    expect(reasons.filter((r) => r.reason !== "blank_key")).toEqual([]);
    expect(outcome.done).toBe(1 + p.rejected);
    expect((await databaseView()).get(code)?.fingerprint).not.toBe(stored.get(code)?.fingerprint);
  }, 120_000);
});
