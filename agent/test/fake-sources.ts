// In-memory sources for the runner's tests: they follow the contract in src/sources/source.ts
// (stable order, resume strictly after the cursor, stop on abort).
import type { Customer, FerrawinParams, Planilla } from "@puente/protocol";
import type { FerrawinSource, PlanillaItem } from "../src/sources/source.ts";
import { planillaBatches } from "../src/sources/ferrawin/batches.ts";

export const planillaCode = (n: number) => `2025-${String(n).padStart(6, "0")}`;

export function fakePlanilla(n: number, elementos = 3): Planilla {
  return {
    codigo: planillaCode(n),
    zconta: 2025,
    descripcion: `Planilla ${n}`,
    seccion: null,
    ensamblado: null,
    obra: { codigo: "7", nombre: "Obra 7", cliente: { codigo: "3", nombre: "Cliente 3" } },
    fecha_creacion: null,
    fecha_calculo: null,
    peso_total_kg: 10 * elementos,
    fingerprint: `fp-${n}`,
    elementos: Array.from({ length: elementos }, (_, i) => ({
      ferrawin_id: `${i + 1}-1`,
      fila: i + 1,
      marca: null,
      descripcion_fila: null,
      diametro_mm: 12,
      figura: null,
      longitud_mm: 1000,
      dobleces: 0,
      barras: 1,
      peso_kg: 10,
      dimensiones: null,
      etiqueta: null,
    })),
    entidades: [],
  };
}

/** A mapped Wispro client numbered `n`; `idNumber` is also its raw national id. */
export function fakeCustomer(n: number, idNumber = `V-${n}`): Customer {
  return {
    wispro_id: `7a000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    public_id: n,
    custom_id: null,
    name: `Cliente ${n}`,
    email: null,
    phone: null,
    phone_mobile: null,
    national_id_raw: idNumber,
    id_number: idNumber,
    zone: null,
    address: null,
    city: null,
    details: null,
    wispro_created_at: null,
    wispro_updated_at: null,
  };
}

export interface FakeFerrawinOptions {
  planillas: number;
  /** Every n-th planilla is refused as missing_obra. */
  rejectEvery?: number;
  /** Pause before each item, so a test can act mid-run. */
  delayMs?: number;
  /** Throw this after yielding this many items. */
  failAfter?: { items: number; error: Error };
}

export function fakeFerrawinSource(options: FakeFerrawinOptions) {
  const calls = { extracts: [] as (string | null)[], closed: 0 };
  const source: FerrawinSource = {
    name: "ferrawin",
    count(_params: FerrawinParams) {
      return Promise.resolve(options.planillas);
    },
    async *extract(_params, { cursor, signal }): AsyncIterable<PlanillaItem> {
      calls.extracts.push(cursor?.lastCode ?? null);
      let yielded = 0;
      for (let n = 1; n <= options.planillas; n++) {
        const code = planillaCode(n);
        if (cursor && code <= cursor.lastCode) continue;
        if (options.delayMs) await Bun.sleep(options.delayMs);
        signal.throwIfAborted();
        if (options.failAfter && yielded === options.failAfter.items) throw options.failAfter.error;
        yielded++;
        const label = { code, cliente: "Cliente 3", obra: "Obra 7" };
        if (options.rejectEvery && n % options.rejectEvery === 0) {
          yield {
            kind: "reject",
            code,
            label,
            reject: { record_key: code, reason: "missing_obra", detail: null, payload: null },
          };
        } else {
          yield { kind: "planilla", code, label, planilla: fakePlanilla(n) };
        }
      }
    },
    batches(params, cursor, { signal, log, limits }) {
      return planillaBatches(this.extract(params, { cursor, signal, log }), limits);
    },
    close() {
      calls.closed++;
      return Promise.resolve();
    },
  };
  return { source, calls };
}
