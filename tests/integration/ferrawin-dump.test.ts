// A held-out FerraWin dump, written by hand rather than by the generator: every table carries columns a
// real FerraWin database has and Puente does not read (users, print dates, printers, positions…), one
// table is spelled in lower case, one table is not FerraWin's six at all, and the text has Spanish
// accents, ñ and dashes. The stand-in loads it as it is; a full sync must land exactly what is below.
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { type Stack, type SyncOutcome, syncOutcome, useStack } from "./support.ts";
import { agentSpawnOptions } from "../../devstack/src/agent-process.ts";

const DUMP = join(import.meta.dir, "fixtures", "ferrawin-dump.json");
let stack: Stack;
let agentHome: string;

useStack(() => ({ ferrawinFixture: DUMP }), (booted) => {
  stack = booted;
  agentHome = mkdtempSync(join(tmpdir(), "puente-dump-test-"));
});

function sync(...args: string[]): Promise<SyncOutcome> {
  return syncOutcome(
    agentSpawnOptions(stack.info, ["sync", "ferrawin", "--json", ...args], agentHome),
  );
}

describe("a FerraWin dump with real-world columns and text", () => {
  test("lands exactly, and an incremental run right after sends nothing", async () => {
    const outcome = await sync("--mode", "all");
    expect(outcome.status).toBe("completed");
    const sql = postgres(stack.info.dbUrl, { max: 1, onnotice: () => {} });
    try {
      expect([...await sql`select codigo, nombre from public.clientes order by codigo`]).toEqual([
        { codigo: "42", nombre: "Construcciones Ibáñez S.L." },
        { codigo: "43", nombre: "Hormigones del Júcar" },
      ]);
      expect([
        ...await sql`select codigo, nombre, cliente_codigo from public.obras order by codigo`,
      ])
        .toEqual([
          { codigo: "710", nombre: "Edificio Peñíscola — Fase 2", cliente_codigo: "42" },
          { codigo: "711", nombre: "Nave logística", cliente_codigo: "43" },
        ]);
      const planillas = await sql`
        select codigo, descripcion, seccion, obra_codigo, elementos_count, peso_total_kg::float8 as peso,
          to_char(fecha_calculo at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') as calculo
        from public.planillas order by codigo`;
      expect([...planillas]).toEqual([
        {
          codigo: "2025-000101",
          descripcion: "Zapatas eje A–C",
          seccion: "Cimentación",
          obra_codigo: "710",
          elementos_count: 3,
          peso: 49.252,
          calculo: "2025-03-05 17:42:11",
        },
        {
          codigo: "2025-000102",
          descripcion: "Planilla sin barras",
          seccion: "Forjado 1",
          obra_codigo: "711",
          elementos_count: 0,
          peso: 0,
          calculo: null,
        },
      ]);
      expect(
        [
          ...await sql`select ferrawin_id, fila, marca, descripcion_fila, diametro_mm::float8 as diametro,
            figura, longitud_mm::float8 as longitud, dobleces, barras, peso_kg::float8 as peso,
            dimensiones, etiqueta
          from public.elementos where planilla_codigo = '2025-000101' order by fila`,
        ],
      ).toEqual([
        {
          ferrawin_id: "1-1",
          fila: 1,
          marca: "Z1-ñ",
          descripcion_fila: "Zapata aislada eje A",
          diametro: 16,
          figura: "3450",
          longitud: 3450,
          dobleces: 0,
          barras: 6,
          peso: 32.671,
          dimensiones: "1200x1200x600",
          etiqueta: "ET2025000101-01-001",
        },
        {
          ferrawin_id: "1-2",
          fila: 2,
          marca: "E1",
          descripcion_fila: "Zapata aislada eje A",
          diametro: 8,
          figura: "300\t90d\t300\t90d\t300",
          longitud: 1200,
          dobleces: 4,
          barras: 20,
          // No ZPESOTESTD: (1200/1000) · 8² · 0.00617 · 20.
          peso: 9.477,
          dimensiones: "1200x1200x600",
          etiqueta: null,
        },
        {
          ferrawin_id: "2-1",
          fila: 3,
          marca: "Z2",
          descripcion_fila: "Viga de atado A–B",
          diametro: 12,
          figura: "2000",
          longitud: 2000,
          dobleces: 0,
          barras: 4,
          peso: 7.104,
          dimensiones: "400x500",
          etiqueta: "ET2025000101-02-001",
        },
      ]);
      expect(
        [
          ...await sql`select linea, marca, situacion, cantidad, miembros, modelo, cotas
          from public.entidades where planilla_codigo = '2025-000101' order by linea`,
        ],
      ).toEqual([
        {
          linea: "1",
          marca: "Z-1",
          situacion: "Zapata aislada eje A",
          cantidad: 2,
          miembros: 1,
          modelo: "ZAPATA",
          cotas: "1200x1200x600",
        },
        {
          linea: "2",
          marca: "Z-2",
          situacion: "Viga de atado A–B",
          cantidad: 1,
          miembros: 3,
          modelo: "VIGA",
          cotas: "400x500",
        },
      ]);
      const [reject] = await sql`select record_key, reason from public.run_rejects
        where run_id = ${outcome.runId}`;
      expect({ ...reject }).toEqual({ record_key: "2025-000103", reason: "missing_obra" });
    } finally {
      await sql.end();
    }
    const again = await sync();
    expect(again.status).toBe("completed");
    // Nothing sent: no planilla counted at all, the refused one included (its fingerprint is stored).
    expect(again.counts.planillas ?? null).toBeNull();
  }, 120_000);
});
