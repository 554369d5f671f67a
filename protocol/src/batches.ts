// Ingest batches. Row fields are the database's column names on purpose: the edge validates a batch
// and hands it to the ingest RPC verbatim, so 2 million elementos are never renamed on the hot path.
import { z } from "zod";
import { ProtocolVersion } from "./version.ts";
import { StoredPlanillaCode } from "./planilla-code.ts";
import { Count, IsoDateTime, optionalText, RunCounts, text } from "./common.ts";

export const MAX_PLANILLAS_PER_BATCH = 500;
export const MAX_ELEMENTOS_PER_PLANILLA = 20_000;
export const MAX_CUSTOMERS_PER_BATCH = 1000;
export const MAX_REJECTS_PER_BATCH = 1000;

/** A non-negative measure; FerraWin never has negative lengths, weights or diameters. */
const measure = z.number().nonnegative().max(1e12);
const nullableMeasure = measure.nullable().default(null);
const smallInt = z.number().int().nonnegative().max(2_147_483_647);
/** FerraWin keeps codes with and without leading zeros; they are stored without. */
const entityCode = z.string().min(1).max(64).regex(/^[^\s]|^$/, {
  error: "code must not start with a space",
});

export const Cliente = z.object({ codigo: entityCode, nombre: optionalText(200) }).strict();
export const Obra = z.object({
  codigo: entityCode,
  nombre: optionalText(200),
  cliente: Cliente.nullable().default(null),
}).strict();

export const Elemento = z.object({
  /** `ZCODLIN-ZELEMENTO`: the element's identity inside its planilla. */
  ferrawin_id: z.string().min(3).max(64).regex(/^[^-\s]+-[^-\s]+$/, {
    error: "ferrawin_id must be ZCODLIN-ZELEMENTO",
  }),
  fila: smallInt,
  marca: optionalText(64),
  descripcion_fila: optionalText(500),
  diametro_mm: measure.max(100, { error: "diameter over 100 mm" }),
  figura: optionalText(2000),
  longitud_mm: nullableMeasure,
  dobleces: smallInt.nullable().default(null),
  barras: smallInt.nullable().default(null),
  peso_kg: nullableMeasure,
  dimensiones: optionalText(2000),
  etiqueta: optionalText(200),
}).strict();
export type Elemento = z.infer<typeof Elemento>;

export const Entidad = z.object({
  linea: z.string().min(1).max(32),
  marca: optionalText(64),
  situacion: optionalText(200),
  cantidad: smallInt.nullable().default(null),
  miembros: smallInt.nullable().default(null),
  modelo: optionalText(200),
  cotas: optionalText(2000),
  composicion: z.record(z.string(), z.unknown()).nullable().default(null),
  distribucion: z.record(z.string(), z.unknown()).nullable().default(null),
}).strict();
export type Entidad = z.infer<typeof Entidad>;

export const Planilla = z.object({
  codigo: StoredPlanillaCode,
  zconta: z.number().int().min(1990).max(2200),
  descripcion: optionalText(500),
  seccion: optionalText(200),
  ensamblado: optionalText(200),
  obra: Obra,
  fecha_creacion: IsoDateTime.nullable().default(null),
  fecha_calculo: IsoDateTime.nullable().default(null),
  peso_total_kg: measure,
  /** The source fingerprint the incremental mode compares against (row count, checksum, max ZFECHACALC). */
  fingerprint: z.string().min(1).max(200),
  elementos: z.array(Elemento).max(MAX_ELEMENTOS_PER_PLANILLA),
  entidades: z.array(Entidad).max(MAX_ELEMENTOS_PER_PLANILLA),
}).strict().refine((p) => p.codigo.startsWith(`${p.zconta}-`), {
  error: "codigo must start with zconta",
  path: ["codigo"],
});
export type Planilla = z.infer<typeof Planilla>;

export const RejectReason = z.enum([
  "missing_obra",
  "blank_key",
  "missing_id_number",
  "ambiguous_match",
  "invalid_record",
]);
export type RejectReason = z.infer<typeof RejectReason>;

/** A record the agent refused before sending; stored in run_rejects in the batch's transaction. */
export const SourceReject = z.object({
  record_key: text(200),
  reason: RejectReason,
  detail: optionalText(1000),
  payload: z.record(z.string(), z.unknown()).nullable().default(null),
}).strict();
export type SourceReject = z.infer<typeof SourceReject>;

const batchBase = {
  v: ProtocolVersion,
  /** Sequence number in the run: a replayed (runId, seq) returns the first answer and changes nothing. */
  seq: z.number().int().nonnegative().max(10_000_000),
  rejects: z.array(SourceReject).max(MAX_REJECTS_PER_BATCH).default([]),
};

/** `POST /agent/runs/:id/batches` for FerraWin. */
export const PlanillaBatch = z.object({
  ...batchBase,
  kind: z.literal("planillas"),
  planillas: z.array(Planilla).max(MAX_PLANILLAS_PER_BATCH),
}).strict().refine((b) => new Set(b.planillas.map((p) => p.codigo)).size === b.planillas.length, {
  error: "a planilla appears twice in the batch",
  path: ["planillas"],
});
export type PlanillaBatch = z.infer<typeof PlanillaBatch>;

export const Customer = z.object({
  wispro_id: z.uuid({ error: "wispro_id must be a UUID" }),
  public_id: z.number().int().nullable().default(null),
  custom_id: optionalText(100),
  name: text(300),
  email: optionalText(320),
  phone: optionalText(64),
  phone_mobile: optionalText(64),
  national_id_raw: optionalText(64),
  /** Normalised `<letter>-<digits>`, e.g. `V-12345678`. */
  id_number: z.string().regex(/^[VEJGP]-\d{1,20}$/, { error: "id_number must be like V-12345678" }),
  zone: optionalText(200),
  address: optionalText(500),
  city: optionalText(200),
  details: optionalText(2000),
  wispro_created_at: IsoDateTime.nullable().default(null),
  wispro_updated_at: IsoDateTime.nullable().default(null),
}).strict();
export type Customer = z.infer<typeof Customer>;

/** `POST /agent/runs/:id/batches` for Wispro: one page of clients. */
export const CustomerBatch = z.object({
  ...batchBase,
  kind: z.literal("customers"),
  page: z.number().int().positive().optional(),
  customers: z.array(Customer).max(MAX_CUSTOMERS_PER_BATCH),
}).strict().refine(
  (b) => new Set(b.customers.map((c) => c.wispro_id)).size === b.customers.length,
  {
    error: "a customer appears twice in the batch",
    path: ["customers"],
  },
);
export type CustomerBatch = z.infer<typeof CustomerBatch>;

export const IngestBatch = z.union([PlanillaBatch, CustomerBatch]);
export type IngestBatch = z.infer<typeof IngestBatch>;

/** What an ingest RPC answers, and the edge returns for a batch. */
export const BatchResult = z.object({
  seq: Count,
  replayed: z.boolean(),
  counts: RunCounts,
  rejects: z.array(z.object({ record_key: z.string(), reason: z.string() })).default([]),
});
export type BatchResult = z.infer<typeof BatchResult>;
