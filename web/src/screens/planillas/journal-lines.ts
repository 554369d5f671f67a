// A journal entry (planilla_changes) in plain words: the one line the timeline shows ("+3 elementos,
// 12 → 16 barras de Ø12, +45,2 kg") and the full diff an entry opens. Pure: data and a language in,
// text and rows out, so the wording is tested without a browser.
import type { ElementoRow, FieldChange, JournalEntry } from "../../api/planillas.ts";
import { es, type Lang, type MessageKey, translate } from "../../i18n/dictionary.ts";
import { formatDateTime, formatNumber } from "../../format/progress.ts";

/** How many elemento and header changes the line names before it says "N cambios más". */
export const MAX_LINE_CHANGES = 3;

/** Elemento fields in the order a line names them; the weight is said once, for the whole planilla. */
const ELEMENTO_FIELDS = [
  "barras",
  "diametro_mm",
  "longitud_mm",
  "marca",
  "etiqueta",
  "dobleces",
  "figura",
  "dimensiones",
  "descripcion_fila",
  "peso_kg",
] as const;

/** Fields whose values are too long or too coded to read in a line: the line says only that they changed. */
const OPAQUE_FIELDS = new Set(["figura", "dimensiones", "descripcion_fila", "descripcion"]);
/**
 * Per-elemento weight changes add up to the planilla's weight change, which the line already gives; a
 * row number moves whenever a bar is added or removed above it, which says nothing about the bar.
 */
const SILENT_IN_LINE = new Set(["peso_kg", "fila"]);

const UNITS: Record<string, string> = { longitud_mm: "mm", peso_kg: "kg", diametro_mm: "mm" };

export function fieldLabel(field: string, lang: Lang): string {
  const key = `field.${field}`;
  return key in es ? translate(lang, key as MessageKey) : field;
}

/** One value of a field as a person reads it: es-ES or en-GB numbers, dates, "—" for nothing. */
export function formatFieldValue(field: string, value: unknown, lang: Lang): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "number") return formatNumber(value, lang, 3);
  if (typeof value === "string") {
    return field.startsWith("fecha") && !Number.isNaN(Date.parse(value))
      ? formatDateTime(value, lang)
      : value;
  }
  if (typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** A signed weight difference: "+45,2", "-3", "+0,004" (three decimals only when one would show 0). */
export function formatWeightDelta(delta: number, lang: Lang): string {
  const digits = Math.abs(delta) < 0.05 ? 3 : 1;
  const locale = lang === "es" ? "es-ES" : "en-GB";
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits, signDisplay: "exceptZero" })
    .format(delta);
}

/** Each elemento's diameter by ferrawin_id, as it stood right after one journal entry. */
export type DiametroAt = ReadonlyMap<string, number>;

/**
 * The diameter each elemento had right after each entry (`entries` newest first, as the journal pages
 * come), walked back from the elementos as they are now. The journal records a changed elemento's
 * fields only, so "12 → 16 barras de Ø12" needs the diameter from here: an elemento not among `current`
 * (not loaded yet) and never named by a newer entry stays unknown, and its line names the row instead.
 */
export function diametrosAfterEach(
  entries: readonly JournalEntry[],
  current: readonly Pick<ElementoRow, "ferrawin_id" | "diametro_mm">[],
): DiametroAt[] {
  const known = new Map<string, number>();
  for (const e of current) if (e.diametro_mm !== null) known.set(e.ferrawin_id, e.diametro_mm);
  return entries.map((entry) => {
    const after = new Map(known);
    // Step back over this entry: what it added did not exist, what it removed or changed had its old value.
    for (const e of entry.added) known.delete(e.ferrawin_id);
    for (const e of entry.removed) {
      if (e.diametro_mm !== null) known.set(e.ferrawin_id, e.diametro_mm);
    }
    for (const c of entry.changed) {
      const old = c.fields["diametro_mm"]?.old;
      if (typeof old === "number") known.set(c.ferrawin_id, old);
    }
    return after;
  });
}

function diametroOf(change: JournalEntry["changed"][number], diametros: DiametroAt): number | null {
  const fromField = change.fields["diametro_mm"]?.new;
  if (typeof fromField === "number") return fromField;
  return diametros.get(change.ferrawin_id) ?? null;
}

function changeFragment(
  field: string,
  change: FieldChange,
  lang: Lang,
  context: { diametro: number | null; fila: number | null },
): string {
  if (field === "barras") {
    const values = {
      old: formatFieldValue(field, change.old, lang),
      new: formatFieldValue(field, change.new, lang),
    };
    return context.diametro !== null
      ? translate(lang, "journal.barras", {
        ...values,
        diametro: formatNumber(context.diametro, lang, 1),
      })
      : translate(lang, "journal.barrasFila", { ...values, fila: context.fila ?? "?" });
  }
  if (OPAQUE_FIELDS.has(field)) {
    return translate(lang, "journal.fieldChanged", { field: fieldLabel(field, lang) });
  }
  const unit = UNITS[field];
  return translate(lang, "journal.field", {
    field: fieldLabel(field, lang),
    old: formatFieldValue(field, change.old, lang),
    new: formatFieldValue(field, change.new, lang) + (unit ? ` ${unit}` : ""),
  });
}

function countFragment(n: number, one: MessageKey, many: MessageKey, lang: Lang): string[] {
  if (n <= 0) return [];
  return [n === 1 ? translate(lang, one) : translate(lang, many, { n: formatNumber(n, lang) })];
}

/** A run mode's name ("Nuevas y modificadas", "Una planilla"), or the mode itself when unknown. */
export function modeName(mode: string, lang: Lang): string {
  const key = `mode.${mode}`;
  return key in es ? translate(lang, key as MessageKey) : mode;
}

export function reasonLabel(reason: string, lang: Lang): string {
  const key = `reason.${reason}`;
  return key in es ? translate(lang, key as MessageKey) : reason;
}

/** The timeline's one line for an entry; `diametros`: see diametrosAfterEach. */
export function journalLine(
  entry: JournalEntry,
  lang: Lang,
  diametros: DiametroAt = new Map(),
): string {
  if (entry.kind === "created") {
    return translate(lang, "journal.line.created", {
      elementos: formatNumber(entry.elementos_despues ?? entry.added.length, lang),
      peso: formatNumber(entry.peso_despues ?? 0, lang, 1),
    });
  }
  if (entry.kind === "removed") return translate(lang, "journal.line.removed");
  if (entry.kind === "rejected") {
    const reasons = [...new Set(entry.rejects.map((r) => reasonLabel(r.reason, lang)))];
    return translate(lang, "journal.line.rejected", { reasons: reasons.join(", ") || "—" });
  }

  const changes: string[] = [];
  for (const element of entry.changed) {
    const context = { diametro: diametroOf(element, diametros), fila: element.fila };
    for (const field of orderedFields(element.fields)) {
      if (SILENT_IN_LINE.has(field)) continue;
      changes.push(changeFragment(field, element.fields[field]!, lang, context));
    }
  }
  for (const [field, change] of Object.entries(entry.header)) {
    changes.push(changeFragment(field, change, lang, { diametro: null, fila: null }));
  }
  const named = [
    ...changes.slice(0, MAX_LINE_CHANGES),
    ...countFragment(
      changes.length - MAX_LINE_CHANGES,
      "journal.moreChanges.one",
      "journal.moreChanges.many",
      lang,
    ),
  ];

  const parts = [
    ...countFragment(entry.added.length, "journal.added.one", "journal.added.many", lang),
    ...countFragment(entry.removed.length, "journal.removed.one", "journal.removed.many", lang),
    ...named,
    ...weightFragment(entry, lang),
    ...countFragment(entry.rejects.length, "journal.rejects.one", "journal.rejects.many", lang),
  ];
  return parts.length ? parts.join(", ") : translate(lang, "journal.line.nothing");
}

function weightFragment(entry: JournalEntry, lang: Lang): string[] {
  if (entry.peso_antes === null || entry.peso_despues === null) return [];
  const delta = Math.round((entry.peso_despues - entry.peso_antes) * 1000) / 1000;
  if (delta === 0) return [];
  return [translate(lang, "journal.peso", { delta: formatWeightDelta(delta, lang) })];
}

/** Known fields first in their fixed order, then any field a newer journal adds. */
function orderedFields(fields: Record<string, FieldChange>): string[] {
  const known = ELEMENTO_FIELDS.filter((f) => f in fields);
  const others = Object.keys(fields).filter((f) =>
    !(ELEMENTO_FIELDS as readonly string[]).includes(f)
  )
    .sort();
  return [...known, ...others];
}

export interface DiffRow {
  field: string;
  label: string;
  old: string;
  new: string;
}

export interface JournalDiff {
  header: DiffRow[];
  added: ElementoRow[];
  removed: ElementoRow[];
  changed: { ferrawin_id: string; fila: number | null; rows: DiffRow[] }[];
  peso: { before: string; after: string } | null;
  elementos: { before: string; after: string } | null;
  rejects: { reason: string; detail: string | null }[];
}

function diffRows(fields: Record<string, FieldChange>, order: string[], lang: Lang): DiffRow[] {
  return order.map((field) => ({
    field,
    label: fieldLabel(field, lang),
    old: formatFieldValue(field, fields[field]!.old, lang),
    new: formatFieldValue(field, fields[field]!.new, lang),
  }));
}

/** Everything an entry records, as rows to show: nothing left out, values formatted for `lang`. */
export function journalDiff(entry: JournalEntry, lang: Lang): JournalDiff {
  const pair = (before: number | null, after: number | null, digits: number) =>
    before === null && after === null ? null : {
      before: before === null ? "—" : formatNumber(before, lang, digits),
      after: after === null ? "—" : formatNumber(after, lang, digits),
    };
  return {
    header: diffRows(entry.header, Object.keys(entry.header), lang),
    added: entry.added,
    removed: entry.removed,
    changed: entry.changed.map((c) => ({
      ferrawin_id: c.ferrawin_id,
      fila: c.fila,
      rows: diffRows(c.fields, orderedFields(c.fields), lang),
    })),
    peso: pair(entry.peso_antes, entry.peso_despues, 3),
    elementos: pair(entry.elementos_antes, entry.elementos_despues, 0),
    rejects: entry.rejects,
  };
}
