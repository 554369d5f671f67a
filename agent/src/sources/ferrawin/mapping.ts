// Pure FerraWin → Puente mapping: planilla codes, figura parsing, weights, entity composition and
// distribution, fingerprints. No I/O here, so every rule the data needs is unit-tested on its own.
import type { Elemento, Entidad, Planilla, SourceReject } from "@puente/protocol";
import { normalizePlanillaCode } from "@puente/protocol";
import { createHash } from "node:crypto";
import { sqlTextKey } from "./collation.ts";
import { SPIRAL_PREFIX } from "./queries.ts";

/** One header row of `headersQuery` (column names lowercased). */
export interface HeaderRow {
  zconta: string | null;
  zcodigo: string | null;
  codigo: string;
  znombre: string | null;
  zmodulo: string | null;
  zfecha: Date | null;
  zcodobra: string | null;
  obra_codigo: string | null;
  obra_nombre: string | null;
  zcodcli: string | null;
  zcliente: string | null;
  filas: number;
  calculo: string | null;
  /** The hash aggregates of the planilla's rows in every table, and of its header (queries.ts). */
  huella: string | null;
}

/** HeaderRow's fields in the order `packHeader` writes them. */
const HEADER_FIELDS = [
  "zconta",
  "zcodigo",
  "codigo",
  "znombre",
  "zmodulo",
  "zfecha",
  "zcodobra",
  "obra_codigo",
  "obra_nombre",
  "zcodcli",
  "zcliente",
  "filas",
  "calculo",
  "huella",
] as const satisfies readonly (keyof HeaderRow)[];

/**
 * A header held between selection and extraction, as one string of its values. A run keeps every
 * selected header until its planilla is yielded; as row objects (an object, fifteen strings, a Date)
 * 37,000 of them took about 30 MB of heap for most of the run, packed about a third of that.
 */
export type PackedHeader = string & { readonly packed: unique symbol };

export function packHeader(header: HeaderRow): PackedHeader {
  return JSON.stringify(
    HEADER_FIELDS.map((field) =>
      field === "zfecha" ? header.zfecha?.getTime() ?? null : header[field]
    ),
  ) as PackedHeader;
}

export function unpackHeader(packed: PackedHeader): HeaderRow {
  const values = JSON.parse(packed) as unknown[];
  const header: Record<string, unknown> = {};
  HEADER_FIELDS.forEach((field, i) => {
    header[field] = field === "zfecha" && values[i] !== null
      ? new Date(values[i] as number)
      : values[i];
  });
  return header as unknown as HeaderRow;
}

/** One bar row of `barsQuery`. */
export interface BarRow {
  codigo: string;
  zorden: number | null;
  zcodlin: string;
  zelemento: string;
  zmarca: string | null;
  zdiametro: number;
  zlongtestd: number | null;
  znumbend: number | null;
  zcantidad: number | null;
  zpesotestd: number | null;
  zfigura: string | null;
  det_marca: string | null;
  det_situacion: string | null;
  det_cantidad: number | null;
  det_miembros: number | null;
  det_modelo: string | null;
  zetiqueta: string | null;
  zcotas: string | null;
}

export type FigureSegment =
  | { kind: "length"; mm: number }
  | { kind: "angle"; degrees: number }
  | { kind: "radius"; mm: number };

/** Parses ZFIGURA (`345\t90d\t30r…`); unknown tokens are ignored rather than failing a planilla. */
export function parseFigura(figura: string | null): FigureSegment[] {
  if (!figura) return [];
  const segments: FigureSegment[] = [];
  for (const token of figura.split("\t")) {
    const m = /^\s*(-?\d+(?:[.,]\d+)?)\s*([dr]?)\s*$/i.exec(token);
    if (!m) continue;
    const value = Number(m[1]!.replace(",", "."));
    const unit = m[2]!.toLowerCase();
    segments.push(
      unit === "d"
        ? { kind: "angle", degrees: value }
        : unit === "r"
        ? { kind: "radius", mm: value }
        : { kind: "length", mm: value },
    );
  }
  return segments;
}

export const isSpiral = (figura: string | null) => (figura ?? "").startsWith(SPIRAL_PREFIX);

/** Bends in a figure: its angle segments. */
export const countBends = (segments: FigureSegment[]) =>
  segments.filter((s) => s.kind === "angle" && s.degrees !== 0).length;

/** `000123` → `123`; `000` → `0`; blank → null. FerraWin keeps both forms of the same code. */
export function stripLeadingZeros(code: string | null): string | null {
  const trimmed = (code ?? "").trim();
  if (trimmed === "") return null;
  return trimmed.replace(/^0+(?=.)/, "");
}

/** A planilla code from ZCONTA and a raw ZCODIGO, or null when either is blank or not numeric. */
export function planillaCode(zconta: string | null, zcodigo: string | null): string | null {
  const year = (zconta ?? "").trim();
  const number = (zcodigo ?? "").trim();
  if (!/^\d{4}$/.test(year) || !/^\d{1,6}$/.test(number)) return null;
  return normalizePlanillaCode(`${year}-${number}`);
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** ZPESOTESTD, or FerraWin's formula (ZLONGTESTD/1000) · ZDIAMETRO² · 0.00617 · ZCANTIDAD when it is missing. */
export function barWeightKg(
  bar: Pick<BarRow, "zpesotestd" | "zlongtestd" | "zdiametro" | "zcantidad">,
) {
  if (bar.zpesotestd !== null && bar.zpesotestd !== undefined) {
    return round3(Number(bar.zpesotestd));
  }
  if (bar.zlongtestd === null || bar.zcantidad === null) return null;
  return round3((Number(bar.zlongtestd) / 1000) * bar.zdiametro ** 2 * 0.00617 * bar.zcantidad);
}

/**
 * The fingerprint the incremental mode compares: bar count, max ZFECHACALC (s), and a digest of the
 * hash aggregates SQL Server computed (queries.ts), short enough for the stored column. The version
 * marks each change of what SQL Server aggregates (v1 XOR checksums, v2 three 32-bit slices, v3 one 64-bit
 * sum), so a planilla fingerprinted by an earlier version is sent once more, never compared wrongly.
 */
export function fingerprintOf(h: Pick<HeaderRow, "filas" | "calculo" | "huella">) {
  const digest = createHash("sha256").update(h.huella ?? "").digest("base64url").slice(0, 22);
  return `v3:${h.filas}:${h.calculo ?? "-"}:${digest}`;
}

/** True when the stored fingerprint is missing or differs: the planilla must be sent again. */
export const hasChanged = (stored: ReadonlyMap<string, string>, key: string, fingerprint: string) =>
  stored.get(key) !== fingerprint;

/** `2024-05-03 10:11:12` (CONVERT style 120) → ISO UTC. */
export const style120ToIso = (s: string | null) => (s ? `${s.trim().replace(" ", "T")}Z` : null);

const text = (s: string | null | undefined) => {
  const t = (s ?? "").trim();
  return t === "" ? null : t;
};

interface BarSummary {
  elementos: number;
  barras: number;
  peso_kg: number;
  diametros: number[];
}

const summarize = (elementos: Elemento[]): BarSummary => ({
  elementos: elementos.length,
  barras: elementos.reduce((s, e) => s + (e.barras ?? 0), 0),
  peso_kg: round3(elementos.reduce((s, e) => s + (e.peso_kg ?? 0), 0)),
  diametros: [...new Set(elementos.map((e) => e.diametro_mm))].sort((a, b) => a - b),
});

const place = (e: Elemento) => ({
  ferrawin_id: e.ferrawin_id,
  diametro_mm: e.diametro_mm,
  barras: e.barras,
});

/**
 * An entity's composition and distribution from its bars (in ZELEMENTO order): bars with bends
 * (ZNUMBEND > 0) are stirrups; of the longitudinal ones the first two are "superior", the next two
 * "inferior" and the rest "piel".
 */
export function composeEntity(elementos: Elemento[]): {
  composicion: Record<string, unknown>;
  distribucion: Record<string, unknown>;
} {
  const estribos = elementos.filter((e) => (e.dobleces ?? 0) > 0);
  const longitudinales = elementos.filter((e) => (e.dobleces ?? 0) <= 0);
  return {
    composicion: { longitudinales: summarize(longitudinales), estribos: summarize(estribos) },
    distribucion: {
      superior: longitudinales.slice(0, 2).map(place),
      inferior: longitudinales.slice(2, 4).map(place),
      piel: longitudinales.slice(4).map(place),
      estribos: estribos.map(place),
    },
  };
}

/** Builds a Planilla from its header and its valid bars (already ordered by ZCODLIN, ZELEMENTO). */
export function buildPlanilla(header: HeaderRow, bars: BarRow[]): Planilla {
  const elementos: Elemento[] = [];
  const lines = new Map<string, { bar: BarRow; elementos: Elemento[] }>();
  for (const bar of bars) {
    const segments = parseFigura(bar.zfigura);
    const elemento: Elemento = {
      ferrawin_id: `${bar.zcodlin.trim()}-${bar.zelemento.trim()}`,
      fila: elementos.length + 1,
      marca: text(bar.zmarca),
      descripcion_fila: text(bar.det_situacion),
      diametro_mm: Number(bar.zdiametro),
      figura: bar.zfigura,
      longitud_mm: bar.zlongtestd === null ? null : Number(bar.zlongtestd),
      dobleces: bar.znumbend ?? countBends(segments),
      barras: bar.zcantidad,
      peso_kg: barWeightKg(bar),
      dimensiones: text(bar.zcotas),
      etiqueta: text(bar.zetiqueta),
    };
    elementos.push(elemento);
    // One entity per line as SQL Server groups them: "A1" and "a1 " are the same ZCODLIN.
    const linea = sqlTextKey(bar.zcodlin.trim());
    const line = lines.get(linea) ?? { bar, elementos: [] };
    line.elementos.push(elemento);
    lines.set(linea, line);
  }
  const entidades: Entidad[] = [...lines.values()].map(({ bar, elementos }) => ({
    linea: bar.zcodlin.trim(),
    marca: text(bar.det_marca),
    situacion: text(bar.det_situacion),
    cantidad: bar.det_cantidad,
    miembros: bar.det_miembros,
    modelo: text(bar.det_modelo),
    cotas: text(bar.zcotas),
    ...composeEntity(elementos),
  }));
  const cliente = stripLeadingZeros(header.zcodcli);
  return {
    codigo: header.codigo,
    zconta: Number(header.zconta),
    descripcion: text(header.znombre),
    seccion: text(header.zmodulo),
    ensamblado: null,
    obra: {
      codigo: stripLeadingZeros(header.obra_codigo)!,
      nombre: text(header.obra_nombre),
      cliente: cliente === null ? null : { codigo: cliente, nombre: text(header.zcliente) },
    },
    fecha_creacion: header.zfecha ? header.zfecha.toISOString() : null,
    fecha_calculo: style120ToIso(header.calculo),
    peso_total_kg: round3(elementos.reduce((s, e) => s + (e.peso_kg ?? 0), 0)),
    fingerprint: fingerprintOf(header),
    elementos,
    entidades,
  };
}

/** Why a header cannot become a planilla, or null when it can. */
export function rejectFor(header: HeaderRow): SourceReject | null {
  const fingerprint = fingerprintOf(header);
  if (planillaCode(header.zconta, header.zcodigo) === null) {
    return {
      // No code to key it by: the year, the raw code and the name tell these rows apart.
      record_key: `${(header.zconta ?? "").trim() || "????"}-${
        (header.zcodigo ?? "").trim() || "(blank)"
      } ${(header.znombre ?? "").trim()}`.trim().slice(0, 200),
      reason: "blank_key",
      detail: `ORD_HEAD row with a blank or non-numeric ZCONTA/ZCODIGO ("${
        header.zconta ?? ""
      }", "${header.zcodigo ?? ""}"), named "${(header.znombre ?? "").slice(0, 200)}"`,
      payload: {
        zconta: header.zconta,
        zcodigo: header.zcodigo,
        znombre: header.znombre,
        fingerprint,
      },
    };
  }
  if (stripLeadingZeros(header.obra_codigo) === null) {
    return {
      record_key: header.codigo,
      reason: "missing_obra",
      detail: header.zcodobra
        ? `ZCODOBRA "${header.zcodobra}" is not in PROJECT`
        : "the planilla has no obra (ZCODOBRA is empty)",
      payload: { zcodobra: header.zcodobra, fingerprint },
    };
  }
  return null;
}
