import { describe, expect, test } from "bun:test";
import type { Elemento } from "@puente/protocol";
import { Planilla } from "@puente/protocol";
import {
  type BarRow,
  barWeightKg,
  buildPlanilla,
  composeEntity,
  countBends,
  fingerprintOf,
  hasChanged,
  type HeaderRow,
  isSpiral,
  packHeader,
  parseFigura,
  planillaCode,
  rejectFor,
  stripLeadingZeros,
  unpackHeader,
} from "./mapping.ts";

const header = (over: Partial<HeaderRow> = {}): HeaderRow => ({
  zconta: "2026",
  zcodigo: "886",
  codigo: "2026-000886",
  znombre: "Forjado 2",
  zmodulo: "Planta 1",
  zfecha: new Date("2026-02-03T10:00:00Z"),
  zcodobra: "0042",
  obra_codigo: "0042",
  obra_nombre: "Hospital",
  zcodcli: "000017",
  zcliente: "Construcciones Sur",
  filas: 2,
  huella: "3.1.2.3:-:-:-:4.5",
  calculo: "2026-02-04 08:09:10",
  ...over,
});

const bar = (over: Partial<BarRow> = {}): BarRow => ({
  codigo: "2026-000886",
  zorden: 1,
  zcodlin: "1",
  zelemento: "1",
  zmarca: "L1",
  zdiametro: 12,
  zlongtestd: 3000,
  znumbend: 0,
  zcantidad: 4,
  zpesotestd: 10.5,
  zfigura: "3000",
  det_marca: "V-1",
  det_situacion: "Planta 1 eje A",
  det_cantidad: 2,
  det_miembros: 1,
  det_modelo: "VIGA",
  zetiqueta: "ET1",
  zcotas: "300x500",
  ...over,
});

const elemento = (id: string, dobleces: number): Elemento => ({
  ferrawin_id: id,
  fila: 1,
  marca: null,
  descripcion_fila: null,
  diametro_mm: 12,
  figura: null,
  longitud_mm: 1000,
  dobleces,
  barras: 2,
  peso_kg: 1.5,
  dimensiones: null,
  etiqueta: null,
});

describe("codes", () => {
  test("planilla codes are ZCONTA-ZCODIGO padded to 6; blank or non-numeric keys give null", () => {
    expect(planillaCode("2026", "886")).toBe("2026-000886");
    expect(planillaCode("2026", " 000886 ")).toBe("2026-000886");
    expect(planillaCode("2026", "  ")).toBeNull();
    expect(planillaCode("2026", "A12")).toBeNull();
    expect(planillaCode(null, "12")).toBeNull();
  });

  test("obra and client codes lose their leading zeros", () => {
    expect(stripLeadingZeros("000017")).toBe("17");
    expect(stripLeadingZeros("000")).toBe("0");
    expect(stripLeadingZeros("  ")).toBeNull();
    expect(stripLeadingZeros("A01")).toBe("A01");
  });
});

describe("figura", () => {
  test("parses lengths, angles and radii", () => {
    expect(parseFigura("345\t90d\t30r\t120")).toEqual([
      { kind: "length", mm: 345 },
      { kind: "angle", degrees: 90 },
      { kind: "radius", mm: 30 },
      { kind: "length", mm: 120 },
    ]);
    expect(parseFigura(null)).toEqual([]);
    expect(countBends(parseFigura("200\t90d\t400\t135d\t100\t0d"))).toBe(2);
  });

  test("spirals start with 1\\t0d\\t1\\t0d", () => {
    expect(isSpiral("1\t0d\t1\t0d\t80\t5000")).toBe(true);
    expect(isSpiral("1\t0d\t80")).toBe(false);
  });
});

describe("weight", () => {
  test("ZPESOTESTD when present, else FerraWin's formula", () => {
    expect(barWeightKg({ zpesotestd: 10.5, zlongtestd: 1, zdiametro: 1, zcantidad: 1 })).toBe(10.5);
    // 3 m · 12² · 0.00617 · 4 = 10.66176 kg
    expect(barWeightKg({ zpesotestd: null, zlongtestd: 3000, zdiametro: 12, zcantidad: 4 })).toBe(
      10.662,
    );
  });
});

describe("entities", () => {
  test("stirrups are bars with bends; longitudinal ones are superior, inferior, then piel", () => {
    const bars = [
      elemento("1-1", 0),
      elemento("1-2", 4),
      elemento("1-3", 0),
      elemento("1-4", 0),
      elemento("1-5", 0),
      elemento("1-6", 0),
      elemento("1-7", 0),
    ];
    const { composicion, distribucion } = composeEntity(bars);
    const ids = (k: string) =>
      (distribucion[k] as { ferrawin_id: string }[]).map((x) => x.ferrawin_id);
    expect(ids("superior")).toEqual(["1-1", "1-3"]);
    expect(ids("inferior")).toEqual(["1-4", "1-5"]);
    expect(ids("piel")).toEqual(["1-6", "1-7"]);
    expect(ids("estribos")).toEqual(["1-2"]);
    expect(composicion).toEqual({
      longitudinales: { elementos: 6, barras: 12, peso_kg: 9, diametros: [12] },
      estribos: { elementos: 1, barras: 2, peso_kg: 1.5, diametros: [12] },
    });
  });
});

describe("planillas", () => {
  test("a planilla's weight is the sum of its elementos; header-only planillas have none", () => {
    const p = buildPlanilla(header(), [
      bar(),
      bar({ zelemento: "2", zpesotestd: null, znumbend: null, zfigura: "100\t90d\t200" }),
    ]);
    Planilla.parse(p);
    expect(p.elementos.map((e) => e.ferrawin_id)).toEqual(["1-1", "1-2"]);
    expect(p.elementos[1]!.dobleces).toBe(1);
    expect(p.peso_total_kg).toBe(21.162);
    expect(p.obra).toEqual({
      codigo: "42",
      nombre: "Hospital",
      cliente: { codigo: "17", nombre: "Construcciones Sur" },
    });
    expect(p.fecha_calculo).toBe("2026-02-04T08:09:10Z");
    expect(p.entidades).toHaveLength(1);
    const empty = buildPlanilla(header({ filas: 0, calculo: null, huella: null }), []);
    expect(empty.elementos).toEqual([]);
    expect(empty.peso_total_kg).toBe(0);
    expect(empty.fecha_calculo).toBeNull();
    Planilla.parse(empty);
  });

  test("bars whose ZCODLIN differs only in case or trailing spaces form one entity, as SQL Server groups them", () => {
    const p = buildPlanilla(header(), [
      bar({ zcodlin: "A1", zelemento: "1" }),
      bar({ zcodlin: "a1  ", zelemento: "2" }),
      bar({ zcodlin: "Á1", zelemento: "3" }),
    ]);
    expect(p.entidades.map((e) => [e.linea, e.composicion])).toHaveLength(2);
    expect(p.entidades[0]!.linea).toBe("A1");
    expect(p.elementos.map((e) => e.ferrawin_id)).toEqual(["A1-1", "a1-2", "Á1-3"]);
  });

  test("missing obra and blank keys are rejects", () => {
    expect(rejectFor(header())).toBeNull();
    expect(rejectFor(header({ obra_codigo: null }))?.reason).toBe("missing_obra");
    expect(rejectFor(header({ obra_codigo: null }))?.record_key).toBe("2026-000886");
    expect(rejectFor(header({ zcodigo: " " }))?.reason).toBe("blank_key");
  });
});

describe("packed headers", () => {
  test("a header comes back from its packed form with every value, nulls and the date included", () => {
    const rows = [
      header(),
      header({ zfecha: null, obra_codigo: null, huella: null, calculo: null }),
      header({ znombre: 'Ñandú "losa"\t\\ 2º \u{1F3D7}', zcliente: "" }),
    ];
    for (const row of rows) {
      const back = unpackHeader(packHeader(row));
      expect(back).toEqual(row);
      expect(Object.keys(back).sort()).toEqual(Object.keys(row).sort());
    }
    expect(unpackHeader(packHeader(header())).zfecha).toBeInstanceOf(Date);
    expect(buildPlanilla(unpackHeader(packHeader(header())), [bar()])).toEqual(
      buildPlanilla(header(), [bar()]),
    );
  });

  test("the packed form holds the values only", () => {
    expect(packHeader(header()).length).toBeLessThan(JSON.stringify(header()).length * 0.6);
  });
});

describe("fingerprints", () => {
  test("change with any part; compare exactly", () => {
    const base = fingerprintOf(header());
    expect(fingerprintOf(header({ filas: 3 }))).not.toBe(base);
    expect(fingerprintOf(header({ huella: "3.1.2.4:-:-:-:4.5" }))).not.toBe(base);
    expect(fingerprintOf(header({ calculo: "2026-02-04 08:09:11" }))).not.toBe(base);
    expect(fingerprintOf(header({ huella: null }))).not.toBe(base);
    expect(base).toMatch(/^v3:\d+:[\d :-]+:[A-Za-z0-9_-]{22}$/);
    const stored = new Map([["2026-000886", base]]);
    expect(hasChanged(stored, "2026-000886", base)).toBe(false);
    expect(hasChanged(stored, "2026-000886", `${base}x`)).toBe(true);
    expect(hasChanged(stored, "2026-000887", base)).toBe(true);
  });
});
