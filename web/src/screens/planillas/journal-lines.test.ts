import { describe, expect, test } from "bun:test";
import { JournalEntry } from "../../api/planillas.ts";
import {
  diametrosAfterEach,
  formatFieldValue,
  formatWeightDelta,
  journalDiff,
  journalLine,
} from "./journal-lines.ts";

const elemento = (id: string, fila: number, diametro: number, barras: number, peso: number) => ({
  ferrawin_id: id,
  fila,
  marca: `M${fila}`,
  descripcion_fila: null,
  diametro_mm: diametro,
  figura: "345\t90d\t200",
  longitud_mm: 1200,
  dobleces: 1,
  barras,
  peso_kg: peso,
  dimensiones: null,
  etiqueta: `ET${fila}`,
});

const entry = (fields: Record<string, unknown>) =>
  JournalEntry.parse({
    id: 7,
    run_id: "33333333-3333-4333-8333-333333333333",
    at: "2026-12-05T04:30:00Z",
    kind: "updated",
    peso_antes: 1000,
    peso_despues: 1000,
    elementos_antes: 13,
    elementos_despues: 13,
    run: { source: "ferrawin", mode: "incremental", scheduled: false, status: "completed" },
    ...fields,
  });

describe("the timeline's line for a journal entry", () => {
  test("the issue's example reads as written, in Spanish and in English", () => {
    const e = entry({
      added: [
        elemento("7-1", 14, 12, 4, 15),
        elemento("7-2", 15, 12, 4, 15),
        elemento("7-3", 16, 12, 4, 15.2),
      ],
      changed: [{
        ferrawin_id: "3-1",
        fila: 3,
        fields: { barras: { old: 12, new: 16 }, peso_kg: { old: 30, new: 40 } },
      }],
      peso_despues: 1045.2,
      elementos_despues: 16,
    });
    const diametros = new Map([["3-1", 12]]);
    expect(journalLine(e, "es", diametros)).toBe("+3 elementos, 12 → 16 barras de Ø12, +45,2 kg");
    expect(journalLine(e, "en", diametros)).toBe("+3 elements, 12 → 16 bars of Ø12, +45.2 kg");
  });

  test("a quantity without a known diameter names the row; labels and lengths read old → new", () => {
    const e = entry({
      changed: [
        { ferrawin_id: "3-1", fila: 3, fields: { barras: { old: 2, new: 5 } } },
        { ferrawin_id: "4-1", fila: 4, fields: { etiqueta: { old: "ET1", new: "ET1-B" } } },
        { ferrawin_id: "5-1", fila: 5, fields: { longitud_mm: { old: 1200, new: 1350.5 } } },
      ],
    });
    expect(journalLine(e, "es")).toBe(
      "2 → 5 barras (fila 3), etiqueta ET1 → ET1-B, longitud 1200 → 1350,5 mm",
    );
  });

  test("past three changes the line counts the rest; removals, header and rejects are named", () => {
    const e = entry({
      kind: "updated",
      removed: [elemento("1-1", 1, 8, 2, 1.5), elemento("1-2", 2, 8, 2, 1.5)],
      changed: [
        {
          ferrawin_id: "3-1",
          fila: 3,
          fields: { figura: { old: "a", new: "b" }, marca: { old: "A", new: "B" } },
        },
        {
          ferrawin_id: "4-1",
          fila: 4,
          fields: { diametro_mm: { old: 10, new: 12 }, barras: { old: 1, new: 2 } },
        },
      ],
      header: { obra_codigo: { old: "12", new: "13" } },
      peso_antes: 1000,
      peso_despues: 997,
      rejects: [{ reason: "missing_obra", detail: "ZCODOBRA 0" }],
    });
    expect(journalLine(e, "es")).toBe(
      "-2 elementos, marca A → B, cambio de figura, 1 → 2 barras de Ø12, 2 cambios más, -3 kg, 1 rechazo",
    );
  });

  test("created, removed and rejected entries say so; an entry with nothing to name says that", () => {
    expect(
      journalLine(
        entry({ kind: "created", peso_antes: null, elementos_antes: null, peso_despues: 1234.56 }),
        "es",
      ),
    )
      .toBe("Nueva en la nube: 13 elementos, 1234,6 kg");
    expect(journalLine(entry({ kind: "removed" }), "en")).toBe("Removed from the cloud");
    expect(
      journalLine(
        entry({ kind: "rejected", rejects: [{ reason: "missing_obra", detail: null }] }),
        "es",
      ),
    )
      .toBe("Rechazada: Planilla sin obra válida");
    expect(journalLine(entry({}), "es")).toBe("Sin cambios en los elementos");
  });

  test("small weight changes keep their decimals; no change says nothing", () => {
    expect(formatWeightDelta(0.004, "es")).toBe("+0,004");
    expect(formatWeightDelta(-12.25, "en")).toBe("-12.3");
    expect(journalLine(entry({ peso_despues: 1000.0004 }), "es")).toBe(
      "Sin cambios en los elementos",
    );
  });
});

describe("an entry's full diff", () => {
  test("every change is a row with its old and new value, formatted; weight and counts before/after", () => {
    const added = elemento("7-1", 14, 12, 4, 15.25);
    const diff = journalDiff(
      entry({
        added: [added],
        changed: [{
          ferrawin_id: "3-1",
          fila: 3,
          fields: { peso_kg: { old: 30, new: 40.5 }, barras: { old: 12, new: 16 } },
        }],
        header: {
          fecha_creacion: { old: "2026-01-02T10:00:00Z", new: null },
          descripcion: { old: "Losa", new: "Losa 2" },
        },
        peso_despues: 1045.25,
        elementos_despues: 14,
        rejects: [{ reason: "odd_reason", detail: "x" }],
      }),
      "es",
    );
    expect(diff.added).toEqual([added]);
    expect(diff.changed).toEqual([{
      ferrawin_id: "3-1",
      fila: 3,
      rows: [
        { field: "barras", label: "barras", old: "12", new: "16" },
        { field: "peso_kg", label: "peso", old: "30", new: "40,5" },
      ],
    }]);
    expect(diff.header.map((r) => [r.label, r.new])).toEqual([["fecha", "—"], [
      "nombre",
      "Losa 2",
    ]]);
    // A date reads in the browser's time zone, in the language's order (day first in Spanish).
    expect(diff.header[0]!.old).toMatch(/^0?[12]\/0?1\/26,? \d/);
    expect(diff.peso).toEqual({ before: "1000", after: "1045,25" });
    expect(diff.elementos).toEqual({ before: "13", after: "14" });
    expect(diff.rejects).toEqual([{ reason: "odd_reason", detail: "x" }]);
  });

  test("values: numbers in the language's format, nothing as a dash, text as written", () => {
    expect(formatFieldValue("peso_kg", 12345.678, "es")).toBe("12.345,678");
    expect(formatFieldValue("peso_kg", 12345.678, "en")).toBe("12,345.678");
    expect(formatFieldValue("marca", "", "es")).toBe("—");
    expect(formatFieldValue("marca", null, "es")).toBe("—");
    expect(formatFieldValue("etiqueta", "ET 1", "es")).toBe("ET 1");
  });
});

describe("the diameter a quantity change is said in", () => {
  test("walked back from the elementos now, through newer entries' changes, additions and removals", () => {
    const newest = entry({
      id: 3,
      changed: [{ ferrawin_id: "1-1", fila: 1, fields: { diametro_mm: { old: 10, new: 12 } } }],
      added: [elemento("9-1", 9, 20, 1, 1)],
      removed: [elemento("5-1", 5, 25, 1, 1)],
    });
    const older = entry({
      id: 2,
      changed: [
        { ferrawin_id: "1-1", fila: 1, fields: { barras: { old: 2, new: 3 } } },
        { ferrawin_id: "5-1", fila: 5, fields: { barras: { old: 1, new: 4 } } },
        { ferrawin_id: "7-1", fila: 7, fields: { barras: { old: 1, new: 4 } } },
        {
          ferrawin_id: "2-1",
          fila: 2,
          fields: { barras: { old: 6, new: 8 }, fila: { old: 3, new: 2 } },
        },
      ],
    });
    const now = [
      { ferrawin_id: "1-1", diametro_mm: 12 },
      { ferrawin_id: "2-1", diametro_mm: 8 },
      { ferrawin_id: "9-1", diametro_mm: 20 },
    ];
    const [afterNewest, afterOlder] = diametrosAfterEach([newest, older], now);
    expect([...afterNewest!.entries()].sort()).toEqual([["1-1", 12], ["2-1", 8], ["9-1", 20]]);
    expect([...afterOlder!.entries()].sort()).toEqual([["1-1", 10], ["2-1", 8], ["5-1", 25]]);
    // 7-1 is neither loaded nor named by a newer entry: its row is named instead; a moved row is not news.
    expect(journalLine(older, "es", afterOlder)).toBe(
      "2 → 3 barras de Ø10, 1 → 4 barras de Ø25, 1 → 4 barras (fila 7), 1 cambio más",
    );
  });
});
