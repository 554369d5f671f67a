import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FerrawinGenerator, SPIRAL_PREFIX, writeFixtureFile, yearAllocation } from "./generator.ts";
import { FERRAWIN_TABLES, TABLE_ORDER } from "./tables.ts";

describe("FerrawinGenerator", () => {
  test("is deterministic from the seed, and the seed matters", () => {
    const a = new FerrawinGenerator({ planillas: 40, seed: 7 }).toFixture();
    const b = new FerrawinGenerator({ planillas: 40, seed: 7 }).toFixture();
    const c = new FerrawinGenerator({ planillas: 40, seed: 8 }).toFixture();
    expect(a).toEqual(b);
    expect(a.ORD_BAR).not.toEqual(c.ORD_BAR);
  });

  test("years follow the real volumes, 2018 to 2026", () => {
    const counts = new Map(yearAllocation(37_330));
    expect(counts.get(2018)).toBe(279);
    expect(counts.get(2024)).toBe(8145);
    expect([...counts.values()].reduce((s, n) => s + n, 0)).toBe(37_330);
    expect([...new Map(yearAllocation(1000)).values()].reduce((s, n) => s + n, 0)).toBe(1000);
  });

  test("contains every anomaly the real database has", () => {
    const f = new FerrawinGenerator({ planillas: 150, seed: 1 }).toFixture();
    const heads = f.ORD_HEAD;
    expect(heads.some((h) => /^[1-9]\d*$/.test(String(h.ZCODIGO)))).toBe(true); // unpadded
    expect(heads.some((h) => /^0\d{5}$/.test(String(h.ZCODIGO)))).toBe(true); // padded
    expect(heads.some((h) => String(h.ZCODIGO).trim() === "")).toBe(true); // blank key
    const obras = new Set(f.PROJECT.map((p) => p.ZCODIGO));
    expect(heads.some((h) => h.ZCODOBRA !== null && !obras.has(h.ZCODOBRA))).toBe(true);
    expect(heads.some((h) => h.ZCODOBRA === null)).toBe(true);
    const withBars = new Set(f.ORD_BAR.map((b) => `${b.ZCONTA}|${b.ZCODIGO}`));
    expect(heads.some((h) => !withBars.has(`${h.ZCONTA}|${h.ZCODIGO}`))).toBe(true); // header-only
    expect(f.ORD_BAR.some((b) => String(b.ZFIGURA).startsWith(SPIRAL_PREFIX))).toBe(true);
    expect(
      f.ORD_BAR.some((b) => String(b.ZELEMENTO).trim() === "" || String(b.ZCODLIN).trim() === ""),
    )
      .toBe(true);
    expect(f.ORD_BAR.some((b) => Number(b.ZNUMBEND) > 0)).toBe(true); // stirrups
    expect(f.ORD_BAR.some((b) => b.ZPESOTESTD === null)).toBe(true);
    expect(
      f.ORD_BAR.some((b) =>
        /\.\d{3}$/.test(String(b.ZFECHACALC)) && !String(b.ZFECHACALC).endsWith(".000")
      ),
    )
      .toBe(true);
    const key = (r: Record<string, unknown>, cols: string[]) => cols.map((c) => r[c]).join("|");
    const detoKeys = f.PROD_DETO.map((r) => key(r, ["ZCONTA", "ZCODPLA", "ZCODLIN", "ZELEMENTO"]));
    expect(new Set(detoKeys).size).toBeLessThan(detoKeys.length);
    const detiKeys = f.PROD_DETI.map((r) => key(r, ["ZCONTA", "ZCODPLA", "ZCODLIN"]));
    expect(new Set(detiKeys).size).toBeLessThan(detiKeys.length);
    expect(f.PROJECT.some((p) => String(p.ZCODCLI).startsWith("0"))).toBe(true);
    const diameters = new Set(f.ORD_BAR.map((b) => Number(b.ZDIAMETRO)));
    expect(Math.min(...diameters)).toBe(6);
    expect(Math.max(...diameters)).toBe(32);
    const perPlanilla = f.ORD_BAR.length / heads.length;
    expect(perPlanilla).toBeGreaterThan(40);
    expect(perPlanilla).toBeLessThan(75);
  });

  test("rows use exactly FerraWin's column names", () => {
    const f = new FerrawinGenerator({ planillas: 20, seed: 3 }).toFixture();
    for (const table of TABLE_ORDER) {
      const names = FERRAWIN_TABLES[table].map((c) => c.name).sort();
      for (const row of f[table]) expect(Object.keys(row).sort()).toEqual(names);
    }
  });

  test("the streamed JSON file parses to the same fixture", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ferrawin-fixture-"));
    try {
      const generator = new FerrawinGenerator({ planillas: 30, seed: 5 });
      const path = join(dir, "fixture.json");
      await writeFixtureFile(generator, path);
      expect(await Bun.file(path).json()).toEqual(generator.toFixture());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
