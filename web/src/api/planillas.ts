// The Planillas screen's read RPCs (find_planillas, planilla_status, planilla_elementos, planilla_journal)
// and the shapes of their answers, as /work/prompts/contract24.md and the journal migration define them.
import { z } from "zod";
import type { Api } from "./client.ts";

const num = z.number();
const nullableNum = num.nullable().default(null);
const nullableText = z.string().nullable().default(null);

export const PlanillaSuggestion = z.object({
  codigo: z.string(),
  descripcion: nullableText,
  obra_codigo: nullableText,
  obra_nombre: nullableText,
});
export type PlanillaSuggestion = z.infer<typeof PlanillaSuggestion>;

export const PlanillaSearch = z.object({
  query: z.string(),
  codigo: nullableText,
  found: z.boolean(),
  suggestions: z.array(PlanillaSuggestion).default([]),
});
export type PlanillaSearch = z.infer<typeof PlanillaSearch>;

const Named = z.object({ codigo: nullableText, nombre: nullableText });

export const OpenReject = z.object({
  run_id: nullableText,
  reason: z.string(),
  detail: nullableText,
  at: nullableText,
});
export type OpenReject = z.infer<typeof OpenReject>;

export const PlanillaStatus = z.object({
  codigo: z.string(),
  in_cloud: z.boolean(),
  descripcion: nullableText,
  seccion: nullableText,
  obra: Named.nullable().default(null),
  cliente: Named.nullable().default(null),
  fecha_creacion: nullableText,
  fecha_calculo: nullableText,
  elementos_count: nullableNum,
  peso_total_kg: nullableNum,
  first_synced_at: nullableText,
  synced_at: nullableText,
  last_run: z.object({
    id: z.string(),
    source: z.string(),
    mode: z.string(),
    status: z.string(),
    started_at: nullableText,
    finished_at: nullableText,
    scheduled: z.boolean().nullable().default(null),
  }).nullable().default(null),
  last_check: z.object({ run_id: z.string(), at: nullableText, equal: z.boolean() }).nullable()
    .default(null),
  open_rejects: z.array(OpenReject).default([]),
});
export type PlanillaStatus = z.infer<typeof PlanillaStatus>;

/** An elemento as the journal's added/removed lists and planilla_elementos carry it. */
export const ElementoRow = z.object({
  ferrawin_id: z.string(),
  fila: nullableNum,
  marca: nullableText,
  descripcion_fila: nullableText,
  diametro_mm: nullableNum,
  figura: nullableText,
  longitud_mm: nullableNum,
  dobleces: nullableNum,
  barras: nullableNum,
  peso_kg: nullableNum,
  dimensiones: nullableText,
  etiqueta: nullableText,
});
export type ElementoRow = z.infer<typeof ElementoRow>;

export const DiametroTotal = z.object({
  diametro_mm: num,
  elementos: num,
  barras: nullableNum,
  peso_kg: nullableNum,
});
export type DiametroTotal = z.infer<typeof DiametroTotal>;

export const ElementosPage = z.object({
  items: z.array(ElementoRow),
  next: nullableText,
  totals: z.object({
    elementos: num,
    barras: nullableNum,
    peso_kg: nullableNum,
    by_diametro: z.array(DiametroTotal).default([]),
  }),
});
export type ElementosPage = z.infer<typeof ElementosPage>;

/** One field's change; values keep their JSON type (numbers stay numbers). */
export const FieldChange = z.object({ old: z.unknown(), new: z.unknown() });
export type FieldChange = z.infer<typeof FieldChange>;

export const ChangedElemento = z.object({
  ferrawin_id: z.string(),
  fila: nullableNum,
  fields: z.record(z.string(), FieldChange),
});
export type ChangedElemento = z.infer<typeof ChangedElemento>;

export const JournalEntry = z.object({
  id: num,
  run_id: nullableText,
  at: z.string(),
  kind: z.enum(["created", "updated", "removed", "rejected"]),
  header: z.record(z.string(), FieldChange).default({}),
  added: z.array(ElementoRow).default([]),
  removed: z.array(ElementoRow).default([]),
  changed: z.array(ChangedElemento).default([]),
  peso_antes: nullableNum,
  peso_despues: nullableNum,
  elementos_antes: nullableNum,
  elementos_despues: nullableNum,
  rejects: z.array(z.object({ reason: z.string(), detail: nullableText })).default([]),
  run: z.object({
    source: z.string(),
    mode: z.string(),
    scheduled: z.boolean().nullable().default(null),
    status: z.string(),
  }).nullable().default(null),
});
export type JournalEntry = z.infer<typeof JournalEntry>;

export const JournalPage = z.object({
  entries: z.array(JournalEntry),
  next: nullableNum,
});
export type JournalPage = z.infer<typeof JournalPage>;

export function findPlanillas(api: Api, query: string, limit = 8): Promise<PlanillaSearch> {
  return api.rpc("find_planillas", { p_query: query, p_limit: limit }, PlanillaSearch);
}

export function planillaStatus(api: Api, codigo: string): Promise<PlanillaStatus> {
  return api.rpc("planilla_status", { p_codigo: codigo }, PlanillaStatus);
}

export function planillaElementos(
  api: Api,
  codigo: string,
  after: string | null = null,
  limit = 100,
): Promise<ElementosPage> {
  return api.rpc(
    "planilla_elementos",
    { p_codigo: codigo, p_after: after, p_limit: limit },
    ElementosPage,
  );
}

export function planillaJournal(
  api: Api,
  codigo: string,
  before: number | null = null,
  limit = 20,
): Promise<JournalPage> {
  return api.rpc(
    "planilla_journal",
    { p_codigo: codigo, p_before: before, p_limit: limit },
    JournalPage,
  );
}
