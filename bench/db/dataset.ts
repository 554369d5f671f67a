// The db benchmark's dataset: deterministic planillas shaped like FerraWin's (about 56 bars each), the
// batches the agent would send for them, and the same elementos as COPY text lines.
import type { Elemento, Planilla } from "@puente/protocol";

export const PER_PLANILLA = 56;
export const PLANILLAS_PER_BATCH = 50;

/**
 * Deterministic planillas shaped like FerraWin's (about 56 bars each). `perPlanilla` changes the bars
 * per planilla; `firstNumber` starts the codes further on, for planillas not yet stored.
 */
export function makePlanillas(
  totalElementos: number,
  options: { perPlanilla?: number; firstNumber?: number } = {},
): Planilla[] {
  const perPlanilla = options.perPlanilla ?? PER_PLANILLA;
  const planillas: Planilla[] = [];
  let left = totalElementos;
  for (let p = options.firstNumber ?? 1; left > 0; p++) {
    const count = Math.min(perPlanilla, left);
    left -= count;
    const elementos: Elemento[] = [];
    for (let i = 1; i <= count; i++) {
      const diametro = [8, 10, 12, 16, 20, 25][(p + i) % 6]!;
      const longitud = 500 + ((p * 37 + i * 101) % 11_500);
      elementos.push({
        ferrawin_id: `${1 + (i % 7)}-${i}`,
        fila: i,
        marca: `M${i}`,
        descripcion_fila: i % 3 === 0 ? `Viga ${i}` : null,
        diametro_mm: diametro,
        figura: `${longitud}\t90d\t${Math.round(longitud / 3)}`,
        longitud_mm: longitud,
        dobleces: i % 4,
        barras: 1 + (i % 12),
        peso_kg: Math.round(longitud * diametro * diametro * 0.00617) / 1000,
        dimensiones: i % 5 === 0 ? "A=345 B=120" : null,
        etiqueta: `E${p}-${i}`,
      });
    }
    const year = 2000 + (p % 26);
    planillas.push({
      codigo: `${year}-${String(p).padStart(6, "0")}`,
      zconta: year,
      descripcion: `Planilla ${p}`,
      seccion: null,
      ensamblado: null,
      // An obra belongs to one cliente, as in FerraWin (500 obras of 80 clientes).
      obra: {
        codigo: String(100 + (p % 500)),
        nombre: `Obra ${p % 500}`,
        cliente: { codigo: String(1 + ((p % 500) % 80)), nombre: `Cliente ${(p % 500) % 80}` },
      },
      fecha_creacion: "2026-01-02T03:04:05.000Z",
      fecha_calculo: "2026-01-03T03:04:05.000Z",
      peso_total_kg: Math.round(elementos.reduce((s, e) => s + (e.peso_kg ?? 0), 0) * 1000) / 1000,
      fingerprint: `${count}:${p}`,
      elementos,
      entidades: [],
    });
  }
  return planillas;
}

export function copyLine(planilla: string, e: Elemento): string {
  const v = (x: string | number | null) =>
    x === null ? "\\N" : String(x).replaceAll("\\", "\\\\").replaceAll("\t", "\\t");
  return [
    planilla,
    e.ferrawin_id,
    e.fila,
    e.marca,
    e.descripcion_fila,
    e.diametro_mm,
    e.figura,
    e.longitud_mm,
    e.dobleces,
    e.barras,
    e.peso_kg,
    e.dimensiones,
    e.etiqueta,
  ].map(v).join("\t") + "\n";
}

/** The planillas as the JSON texts of PlanillaBatch bodies, PLANILLAS_PER_BATCH each, seq from 0. */
export function makeBatches(planillas: Planilla[]): string[] {
  const batches: string[] = [];
  for (let i = 0; i < planillas.length; i += PLANILLAS_PER_BATCH) {
    batches.push(JSON.stringify({
      v: 1,
      kind: "planillas",
      seq: batches.length,
      rejects: [],
      planillas: planillas.slice(i, i + PLANILLAS_PER_BATCH),
    }));
  }
  return batches;
}
