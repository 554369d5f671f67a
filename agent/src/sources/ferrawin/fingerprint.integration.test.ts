// The incremental fingerprint against edits SQL Server's checksums cannot see: through tedious and the TDS
// stand-in, whose BINARY_CHECKSUM/CHECKSUM_AGG compute what SQL Server computes (rotate-XOR, XOR). The
// test first shows the old checksum really is blind to the cancelling edits, then that an incremental
// sync resends exactly the edited planillas, and nothing once they are stored again.
import { describe, expect, test } from "bun:test";
import type postgres from "postgres";
import { FerrawinGenerator } from "../../../../devstack/src/ferrawin/generator.ts";
import type { FerrawinExecutor } from "../../../../devstack/src/ferrawin/executor.ts";
import type { SqlServerHandle } from "../../../../devstack/src/sqlserver/index.ts";
import type { PlanillaItem } from "../source.ts";
import { createFerrawinSource } from "./index.ts";
import { SPIRAL_PREFIX } from "./queries.ts";
import { standInSettings, useFerrawinStandIn } from "./stand-in.integration-support.ts";

const TEST_TIMEOUT_MS = 90_000;
let sql: postgres.Sql;
let executor: FerrawinExecutor;
let server: SqlServerHandle;

useFerrawinStandIn(
  () => new FerrawinGenerator({ planillas: 60, seed: 17 }).toFixture(),
  (standIn) => {
    ({ sql, executor, server } = standIn);
  },
);

/** An incremental run against `stored`; returns the codes it sent and the fingerprints it would store. */
async function incremental(stored: Map<string, string>) {
  const source = createFerrawinSource(standInSettings(server), {
    storedFingerprints: () => Promise.resolve(stored),
  });
  const items: PlanillaItem[] = [];
  try {
    for await (
      const item of source.extract({ mode: "incremental" }, {
        cursor: null,
        signal: new AbortController().signal,
        log: () => {},
      })
    ) items.push(item);
  } finally {
    await source.close();
  }
  const next = new Map(stored);
  const sent: string[] = [];
  for (const item of items) {
    if (item.kind === "planilla") {
      sent.push(item.code);
      next.set(item.code, item.planilla.fingerprint);
    } else if (item.reject.reason === "missing_obra") {
      next.set(item.reject.record_key, String(item.reject.payload!.fingerprint));
    }
  }
  return { sent, stored: next };
}

/** The pre-v2 bar checksum, per planilla, as SQL Server would compute it. */
async function oldChecksums(): Promise<Map<string, number>> {
  const result = await executor.execute(
    `SELECT b.ZCONTA + '-' + b.ZCODIGO AS K,
       CHECKSUM_AGG(BINARY_CHECKSUM(b.ZCODLIN, b.ZELEMENTO, b.ZDIAMETRO, b.ZCANTIDAD, b.ZNUMBEND)) AS C
     FROM ORD_BAR b GROUP BY b.ZCONTA, b.ZCODIGO`,
    [],
    new AbortController().signal,
  );
  const out = new Map<string, number>();
  for await (const [k, c] of result.rows) out.set(String(k), Number(c));
  return out;
}

interface Bar {
  zconta: string;
  zcodigo: string;
  zcodlin: string;
  zelemento: string;
  zorden: number;
  zfigura: string;
}

const codeOf = (b: Pick<Bar, "zconta" | "zcodigo">) =>
  `${b.zconta}-${b.zcodigo.trim().padStart(6, "0")}`;

describe("incremental fingerprint", () => {
  test(
    "edits that cancel under XOR, and edits of labels, shapes, entities and headers, are all resent",
    async () => {
      // Planillas with an obra and at least two valid bars, two bars each (one planilla per edit).
      const bars = await sql<Bar[]>`
        select b.zconta, b.zcodigo, b.zcodlin, b.zelemento, b.zorden, b.zfigura
        from ferrawin.ord_bar b
        join ferrawin.ord_head h on h.zconta = b.zconta and h.zcodigo = b.zcodigo
        join ferrawin.project p on p.zcodigo = h.zcodobra
        where trim(b.zcodlin) <> '' and trim(b.zelemento) <> '' and trim(h.zcodigo) <> ''
          and b.zfigura collate "C" not like ${SPIRAL_PREFIX + "%"} and length(b.zfigura) >= 20
        order by b.zconta, b.zcodigo, b.zcodlin, b.zelemento`;
      const byPlanilla = new Map<string, Bar[]>();
      for (const b of bars) byPlanilla.set(codeOf(b), [...(byPlanilla.get(codeOf(b)) ?? []), b]);
      // Each edit gets its own planilla, and no planilla shares its obra with another edit's.
      const labelled = new Set(
        (await sql`select distinct zconta || '-' || zcodpla || '-' || zcodlin || '-' || zelemento as k
          from ferrawin.prod_deto`).map((r) => r.k as string),
      );
      const hasLabel = (b: Bar) =>
        labelled.has(`${b.zconta}-${b.zcodigo}-${b.zcodlin}-${b.zelemento}`);
      const pairs = [...byPlanilla.values()].filter((list) => list.length >= 2)
        .map((list) =>
          [list.find(hasLabel) ?? list[0]!, ...list.filter((b) => b !== list.find(hasLabel))].slice(
            0,
            2,
          )
        )
        .sort((a, b) => Number(hasLabel(b[0]!)) - Number(hasLabel(a[0]!)));
      expect(pairs.length).toBeGreaterThanOrEqual(10);
      const [label, qty, swap, shape, entity, dims, marca, header, figuraCancel] = pairs as [
        Bar[],
        Bar[],
        Bar[],
        Bar[],
        Bar[],
        Bar[],
        Bar[],
        Bar[],
        Bar[],
      ];
      const bar = (b: Bar) =>
        sql`zconta = ${b.zconta} and zcodigo = ${b.zcodigo} and zcodlin = ${b.zcodlin}
          and zelemento = ${b.zelemento}`;
      const setBar = (b: Bar, column: string, value: string | number) =>
        sql`update ferrawin.ord_bar set ${sql(column)} = ${value} where ${bar(b)}`;

      // Starting values the cancelling edits need: quantities 2 and 4, two different diameters.
      await setBar(qty[0]!, "zcantidad", 2);
      await setBar(qty[1]!, "zcantidad", 4);
      await setBar(swap[0]!, "zdiametro", 12);
      await setBar(swap[1]!, "zdiametro", 20);

      const first = await incremental(new Map());
      const none = await incremental(first.stored);
      expect(none.sent).toEqual([]);
      const oldBefore = await oldChecksums();

      // 2→3 and 4→5 flip the same bit in two rows; swapping diameters moves the same bits both ways.
      await setBar(qty[0]!, "zcantidad", 3);
      await setBar(qty[1]!, "zcantidad", 5);
      await setBar(swap[0]!, "zdiametro", 20);
      await setBar(swap[1]!, "zdiametro", 12);
      // A bend shape alone (3000 → 3200 in the old system's words): the first length token + 200.
      const figura = shape[0]!.zfigura.split("\t");
      figura[0] = String(Number(figura[0]) + 200);
      await setBar(shape[0]!, "zfigura", figura.join("\t"));
      // A label reprinted: every PROD_DETO row of one element (whichever one is read).
      await sql`update ferrawin.prod_deto set zetiqueta = zetiqueta || 'R'
        where zconta = ${label[0]!.zconta} and zcodpla = ${label[0]!.zcodigo}
          and zcodlin = ${label[0]!.zcodlin} and zelemento = ${label[0]!.zelemento}`;
      await sql`update ferrawin.ord_det set zsituacion = 'Planta 9 eje Z'
        where zconta = ${entity[0]!.zconta} and zcodigo = ${entity[0]!.zcodigo}
          and zcodlin = ${entity[0]!.zcodlin}`;
      await sql`update ferrawin.prod_deti set zcotas = '990x990'
        where zconta = ${dims[0]!.zconta} and zcodpla = ${dims[0]!.zcodigo}
          and zcodlin = ${dims[0]!.zcodlin}`;
      await setBar(marca[0]!, "zmarca", "X-99");
      await sql`update ferrawin.ord_head set zmodulo = 'Modulo cambiado'
        where zconta = ${header[0]!.zconta} and zcodigo = ${header[0]!.zcodigo}`;
      // Two characters 16 apart changed the same way: BINARY_CHECKSUM of the text cannot see it.
      const text = figuraCancel[0]!.zfigura;
      const flip = (s: string, i: number) =>
        s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ 1) + s.slice(i + 1);
      const edited = flip(flip(text, 0), 16);
      const [same] = await sql`select ${text}::text <> ${edited}::text as differs`;
      expect(same!.differs).toBe(true);
      const checksumOf = async (s: string) => {
        const result = await executor.execute(
          "SELECT BINARY_CHECKSUM(@s) AS C",
          [{ name: "@s", type: "varchar(2000)", value: s }],
          new AbortController().signal,
        );
        for await (const [c] of result.rows) return Number(c);
      };
      expect(await checksumOf(edited)).toBe(await checksumOf(text));
      await setBar(figuraCancel[0]!, "zfigura", edited);

      // SQL Server's own checksums are blind to the cancelling edits: the stand-in shows it too.
      const oldAfter = await oldChecksums();
      for (const pair of [qty, swap]) {
        const key = `${pair[0]!.zconta}-${pair[0]!.zcodigo}`;
        expect(oldAfter.get(key)).toBe(oldBefore.get(key)!);
      }

      const expected = [label, qty, swap, shape, entity, dims, marca, header, figuraCancel]
        .map((pair) => codeOf(pair[0]!)).sort();
      const second = await incremental(first.stored);
      expect(second.sent.sort()).toEqual(expected);
      const third = await incremental(second.stored);
      expect(third.sent).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
