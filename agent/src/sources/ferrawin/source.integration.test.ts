// End to end: tedious → the TDS stand-in → the FerraWin executor → Postgres, on a generated fixture with
// every anomaly. Each mode's output is checked against a computation written here from the fixture rows.
import { describe, expect, test } from "bun:test";
import type postgres from "postgres";
import { Planilla } from "@puente/protocol";
import { FerrawinGenerator, SPIRAL_PREFIX } from "../../../../devstack/src/ferrawin/generator.ts";
import type { FerrawinFixture, FerrawinRow } from "../../../../devstack/src/ferrawin/tables.ts";
import type { SqlServerHandle } from "../../../../devstack/src/sqlserver/index.ts";
import type { FerrawinParams } from "@puente/protocol";
import type { PlanillaItem } from "../source.ts";
import { createFerrawinSource, FerrawinConnectionLost, SourceUnavailable } from "./index.ts";
import { standInSettings, useFerrawinStandIn } from "./stand-in.integration-support.ts";

const PLANILLAS = 150;
/** This machine is shared; end-to-end tests get room beyond bun's 5 s default. */
const TEST_TIMEOUT_MS = 60_000;
let sql: postgres.Sql;
let server: SqlServerHandle;
let fixture: FerrawinFixture;

const settings = () => standInSettings(server);

useFerrawinStandIn(
  () => (fixture = new FerrawinGenerator({ planillas: PLANILLAS, seed: 42 }).toFixture()),
  (standIn) => {
    ({ sql, server } = standIn);
  },
);

async function collect(
  params: FerrawinParams,
  options: { lastCode?: string; stored?: Map<string, string>; signal?: AbortSignal } = {},
): Promise<PlanillaItem[]> {
  const source = createFerrawinSource(settings(), {
    storedFingerprints: () => Promise.resolve(options.stored ?? new Map()),
  });
  try {
    const items: PlanillaItem[] = [];
    const cursor = options.lastCode
      ? { source: "ferrawin" as const, lastCode: options.lastCode }
      : null;
    for await (
      const item of source.extract(params, {
        cursor,
        signal: options.signal ?? new AbortController().signal,
        log: () => {},
      })
    ) items.push(item);
    return items;
  } finally {
    await source.close();
  }
}

// ---- the independent expectation, from the fixture rows ----
const trimmed = (v: unknown) => String(v ?? "").trim();
const codeOf = (row: FerrawinRow) => `${row.ZCONTA}-${trimmed(row.ZCODIGO).padStart(6, "0")}`;
const hasKey = (row: FerrawinRow) => /^\d+$/.test(trimmed(row.ZCODIGO));
const hasObra = (row: FerrawinRow) => fixture.PROJECT.some((p) => p.ZCODIGO === row.ZCODOBRA);
const isValidBar = (b: FerrawinRow) =>
  trimmed(b.ZCODLIN) !== "" && trimmed(b.ZELEMENTO) !== "" &&
  !String(b.ZFIGURA ?? "").startsWith(SPIRAL_PREFIX);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const r3 = (n: number) => Math.round(n * 1000) / 1000;

function expectedBars(head: FerrawinRow): FerrawinRow[] {
  return fixture.ORD_BAR.filter((b) =>
    b.ZCONTA === head.ZCONTA && b.ZCODIGO === head.ZCODIGO && isValidBar(b)
  ).sort((a, b) =>
    cmp(String(a.ZCODLIN), String(b.ZCODLIN)) || cmp(String(a.ZELEMENTO), String(b.ZELEMENTO))
  );
}
const barWeight = (b: FerrawinRow) =>
  b.ZPESOTESTD !== null
    ? Number(b.ZPESOTESTD)
    : r3((Number(b.ZLONGTESTD) / 1000) * Number(b.ZDIAMETRO) ** 2 * 0.00617 * Number(b.ZCANTIDAD));

function expectedCodes(filter: (h: FerrawinRow) => boolean, descending = false) {
  const heads = fixture.ORD_HEAD.filter((h) => hasKey(h) && filter(h));
  const codes = heads.map(codeOf).sort(cmp);
  return descending ? codes.reverse() : codes;
}

const planillas = (items: PlanillaItem[]) =>
  items.flatMap((i) => (i.kind === "planilla" ? [i.planilla] : []));
const rejectReason = (item: PlanillaItem) => (item.kind === "reject" ? item.reject.reason : null);
const rejects = (items: PlanillaItem[]) =>
  items.flatMap((i) => (i.kind === "reject" ? [i.reject] : []));

describe("FerraWin source through tedious and the TDS stand-in", () => {
  test("all: every planilla in code order, matching the fixture", async () => {
    const items = await collect({ mode: "all" });
    const got = planillas(items);
    expect(got.map((p) => p.codigo)).toEqual(expectedCodes(hasObra));
    for (const p of got) Planilla.parse(p);
    const missing = rejects(items).filter((r) => r.reason === "missing_obra");
    expect(missing.map((r) => r.record_key)).toEqual(expectedCodes((h) => !hasObra(h)));
    const blank = rejects(items).filter((r) => r.reason === "blank_key");
    expect(blank.length).toBe(fixture.ORD_HEAD.filter((h) => !hasKey(h)).length);
    expect(blank.length).toBeGreaterThan(0);
    // Order the items' codes never go backwards (the cursor relies on it).
    const codes = items.map((i) => i.code);
    expect([...codes].sort(cmp)).toEqual(codes);

    let elementos = 0;
    for (const p of got) {
      const head = fixture.ORD_HEAD.find((h) => hasKey(h) && codeOf(h) === p.codigo)!;
      const bars = expectedBars(head);
      elementos += bars.length;
      expect(p.elementos.map((e) => e.ferrawin_id)).toEqual(
        bars.map((b) => `${b.ZCODLIN}-${b.ZELEMENTO}`),
      );
      expect(p.peso_total_kg).toBeCloseTo(bars.reduce((s, b) => s + barWeight(b), 0), 2);
      const project = fixture.PROJECT.find((x) => x.ZCODIGO === head.ZCODOBRA)!;
      expect(p.obra.codigo).toBe(String(project.ZCODIGO).replace(/^0+/, ""));
      expect(p.obra.cliente?.codigo).toBe(String(project.ZCODCLI).replace(/^0+/, ""));
      expect(p.zconta).toBe(Number(head.ZCONTA));
      const calcs = bars.map((b) => b.ZFECHACALC).filter((x) => x !== null).map(String).sort(cmp);
      expect(p.fecha_calculo).toBe(
        calcs.length ? `${calcs.at(-1)!.slice(0, 19).replace(" ", "T")}Z` : null,
      );
      for (const e of p.elementos) {
        const [lin, el] = e.ferrawin_id.split("-");
        const labels = fixture.PROD_DETO.filter((o) =>
          o.ZCONTA === head.ZCONTA && o.ZCODPLA === head.ZCODIGO && o.ZCODLIN === lin &&
          o.ZELEMENTO === el
        );
        expect(e.etiqueta).toBe(labels.length ? String(labels[0]!.ZETIQUETA) : null);
      }
      const lines = new Set(bars.map((b) => String(b.ZCODLIN)));
      expect(p.entidades.map((x) => x.linea)).toEqual([...lines]);
      for (const entidad of p.entidades) {
        const lineBars = bars.filter((b) => b.ZCODLIN === entidad.linea);
        const longitudinal = lineBars.filter((b) => Number(b.ZNUMBEND) === 0);
        const comp = entidad.composicion as Record<string, { elementos: number }>;
        expect(comp.longitudinales!.elementos).toBe(longitudinal.length);
        expect(comp.estribos!.elementos).toBe(lineBars.length - longitudinal.length);
        const dist = entidad.distribucion as Record<string, { ferrawin_id: string }[]>;
        expect(dist.superior!.length).toBe(Math.min(2, longitudinal.length));
        expect(dist.piel!.length).toBe(Math.max(0, longitudinal.length - 4));
      }
    }
    expect(elementos).toBeGreaterThan(PLANILLAS * 30);
    // Header-only planillas are stored with zero elementos.
    expect(got.some((p) => p.elementos.length === 0)).toBe(true);
  }, TEST_TIMEOUT_MS);

  test(
    "year: ZCONTA = Y, codes descending, fromCode inclusive, resume below the cursor",
    async () => {
      const year = 2024;
      const all = expectedCodes((h) => h.ZCONTA === String(year), true);
      const items = await collect({ mode: "year", year });
      expect(items.filter((i) => rejectReason(i) !== "blank_key").map((i) => i.code)).toEqual(all);
      const from = all[3]!;
      const fromItems = await collect({ mode: "year", year, fromCode: from });
      expect(fromItems.map((i) => i.code).filter((c, k, a) => a.indexOf(c) === k)).toEqual(
        all.slice(3),
      );
      const resumed = await collect({ mode: "year", year, fromCode: from }, { lastCode: all[5]! });
      expect(resumed.map((i) => i.code)).toEqual(all.slice(6));
    },
    TEST_TIMEOUT_MS,
  );

  test("one: an unpadded code finds the planilla stored unpadded or padded", async () => {
    const unpadded = fixture.ORD_HEAD.find((h) =>
      hasKey(h) && hasObra(h) && !String(h.ZCODIGO).startsWith("0")
    )!;
    const padded = fixture.ORD_HEAD.find((h) =>
      hasKey(h) && hasObra(h) && String(h.ZCODIGO).startsWith("0")
    )!;
    for (const head of [unpadded, padded]) {
      const short = `${head.ZCONTA}-${Number(head.ZCODIGO)}`;
      const items = await collect({ mode: "one", code: short });
      expect(items.length).toBe(1);
      expect(planillas(items)[0]!.codigo).toBe(codeOf(head));
      expect(short).not.toBe(codeOf(head));
    }
  }, TEST_TIMEOUT_MS);

  test(
    "incremental: everything first, nothing when unchanged, only what changed after an edit",
    async () => {
      const first = await collect({ mode: "incremental" });
      const stored = new Map<string, string>();
      for (const item of first) {
        if (item.kind === "planilla") stored.set(item.code, item.planilla.fingerprint);
        else if (item.reject.reason === "missing_obra") {
          stored.set(item.reject.record_key, String(item.reject.payload!.fingerprint));
        }
      }
      expect(planillas(first).length).toBe(expectedCodes(hasObra).length);
      const second = await collect({ mode: "incremental" }, { stored });
      expect(second.filter((i) => rejectReason(i) !== "blank_key")).toEqual([]);

      const target = planillas(first).find((p) => p.elementos.length > 3)!;
      const [conta, number] = target.codigo.split("-");
      const raw = fixture.ORD_HEAD.find((h) => hasKey(h) && codeOf(h) === target.codigo)!.ZCODIGO;
      // Milliseconds alone must not count as a change; a changed quantity must.
      await sql`update ferrawin.ord_bar set zfechacalc = date_trunc('second', zfechacalc)
              where zconta = ${conta!} and zcodigo <> ${String(raw)}`;
      await sql`update ferrawin.ord_bar set zcantidad = zcantidad + 1
              where zconta = ${conta!} and zcodigo = ${
        String(raw)
      } and zcodlin = '1' and zelemento = '1'`;
      const third = await collect({ mode: "incremental" }, { stored });
      expect(planillas(third).map((p) => p.codigo)).toEqual([target.codigo]);
      expect(Number(number)).toBeGreaterThan(0);
    },
    TEST_TIMEOUT_MS,
  );

  test("counts up front match what extract yields", async () => {
    const source = createFerrawinSource(settings());
    try {
      expect(await source.count({ mode: "year", year: 2025 })).toBe(
        fixture.ORD_HEAD.filter((h) => h.ZCONTA === "2025").length,
      );
      expect(await source.count({ mode: "one", code: "2025-000001" })).toBe(1);
    } finally {
      await source.close();
    }
  }, TEST_TIMEOUT_MS);

  test(
    "extract right after count reuses its selection; a later extract selects again",
    async () => {
      let selections = 0;
      const source = createFerrawinSource(settings(), {
        storedFingerprints: () => {
          selections++;
          return Promise.resolve(new Map());
        },
      });
      const params: FerrawinParams = { mode: "incremental" };
      const extractAll = async () => {
        const items: PlanillaItem[] = [];
        for await (
          const item of source.extract(params, {
            cursor: null,
            signal: new AbortController().signal,
            log: () => {},
          })
        ) items.push(item);
        return items;
      };
      try {
        const counted = await source.count(params);
        expect(selections).toBe(1);
        const first = await extractAll();
        expect(selections).toBe(1);
        expect(first.length).toBe(counted!);
        await extractAll();
        expect(selections).toBe(2);
      } finally {
        await source.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  test("cancel mid-stream stops promptly and leaves the source usable", async () => {
    const source = createFerrawinSource(settings());
    server.setRowDelay(2);
    const controller = new AbortController();
    let yielded = 0;
    const started = Date.now();
    try {
      const run = async () => {
        for await (
          const _ of source.extract({ mode: "all" }, {
            cursor: null,
            signal: controller.signal,
            log: () => {},
          })
        ) {
          if (++yielded === 2) {
            controller.abort(new DOMException("cancelled by the user", "AbortError"));
          }
        }
      };
      await expect(run()).rejects.toThrow("cancelled by the user");
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(yielded).toBe(2);
      server.setRowDelay(0);
      expect(await source.count({ mode: "year", year: 2024 })).toBeGreaterThan(0);
    } finally {
      server.setRowDelay(0);
      await source.close();
    }
  }, TEST_TIMEOUT_MS);

  test(
    "a dropped connection is a resumable SourceUnavailable; resuming completes the run",
    async () => {
      const expected = expectedCodes(() => true);
      const source = createFerrawinSource(settings());
      const seen: string[] = [];
      server.dropAfterRows(1500, { once: true });
      let caught: unknown = null;
      try {
        for await (
          const item of source.extract({ mode: "all" }, {
            cursor: null,
            signal: new AbortController().signal,
            log: () => {},
          })
        ) if (rejectReason(item) !== "blank_key") seen.push(item.code);
      } catch (error) {
        caught = error;
      } finally {
        server.dropAfterRows(null);
        await source.close();
      }
      expect(caught).toBeInstanceOf(FerrawinConnectionLost);
      expect(caught).toBeInstanceOf(SourceUnavailable);
      const lost = caught as FerrawinConnectionLost;
      expect(lost.isResumable).toBe(true);
      expect(lost.message).toContain(`${server.host}:${server.port}`);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.length).toBeLessThan(expected.length);
      const rest = await collect({ mode: "all" }, { lastCode: seen.at(-1)! });
      expect([...seen, ...rest.map((i) => i.code)]).toEqual(expected);
    },
    TEST_TIMEOUT_MS,
  );

  test("a wrong password is a SourceUnavailable naming the server and what to check", async () => {
    const source = createFerrawinSource({ ...settings(), password: "wrong" });
    try {
      const error = await source.count({ mode: "all" }).catch((e) => e);
      expect(error).toBeInstanceOf(SourceUnavailable);
      expect(error.message).toContain(`${server.host}:${server.port}`);
      expect(error.message).toContain("FERRAWIN_PASSWORD");
    } finally {
      await source.close();
    }
  }, TEST_TIMEOUT_MS);

  test("an unreachable server is a SourceUnavailable naming host and port", async () => {
    const source = createFerrawinSource({ ...settings(), port: 1 });
    try {
      const error = await source.count({ mode: "all" }).catch((e) => e);
      expect(error).toBeInstanceOf(SourceUnavailable);
      expect(error.message).toContain(`${server.host}:1`);
      expect(error.message).toContain("FERRAWIN_PORT");
    } finally {
      await source.close();
    }
  }, TEST_TIMEOUT_MS);

  test("a hostile code is inert: no rows, and the tables are still there", async () => {
    const hostile = "2025-0001'; DROP TABLE ORD_HEAD;--";
    const items = await collect({ mode: "one", code: hostile } as FerrawinParams);
    expect(items).toEqual([]);
    const [row] = await sql`select count(*)::int as n from ferrawin.ord_head`;
    expect(row?.n).toBe(PLANILLAS);
  }, TEST_TIMEOUT_MS);
});
