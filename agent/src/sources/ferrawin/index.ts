// The FerraWin source: reads planillas from FerraWin's SQL Server in the mode's order and yields each
// as a Planilla (or as a reject saying why not). Flow of one extraction:
//   1. headers of the selected planillas with their obra and source fingerprint (one small query);
//   2. in incremental mode, keep only those whose fingerprint differs from the stored one;
//   3. stream the bars of the kept planillas in the same order and cut them into planillas.
// Resuming: given cursor.lastCode it yields only planillas strictly after it in the mode's order.
import { type FerrawinParams, normalizePlanillaCode, type RunCursor } from "@puente/protocol";
import type {
  BatchContext,
  BatchDraft,
  ExtractOptions,
  FerrawinSource,
  FerrawinSourceOptions,
  PlanillaItem,
} from "../source.ts";
import { planillaBatches } from "./batches.ts";
import { compareSqlText, isSqlTextEqual } from "./collation.ts";
import { FerrawinConnection, type QueryParams } from "./connection.ts";
import {
  type BarRow,
  buildPlanilla,
  fingerprintOf,
  hasChanged,
  type HeaderRow,
  type PackedHeader,
  packHeader,
  rejectFor,
  stripLeadingZeros,
  unpackHeader,
} from "./mapping.ts";
import { barsQuery, type CodeFilter, headersQuery, SPIRAL_PREFIX } from "./queries.ts";

export { FerrawinConnectionLost, SourceQueryFailed, SourceUnavailable } from "./errors.ts";

/** Raw codes per bars query in incremental mode (SQL Server allows 2,100 parameters). */
const INCREMENTAL_CHUNK = 500;

export interface FerrawinSourceDeps {
  /**
   * The fingerprints Puente stores, keyed by planilla code (and by reject record key for refused
   * planillas); the incremental mode yields only what is missing or differs. Defaults to none stored.
   */
  storedFingerprints?: (signal: AbortSignal) => Promise<ReadonlyMap<string, string>>;
}

type FerrawinCursor = Extract<RunCursor, { source: "ferrawin" }>;

/** What the bars queries need of a planilla to read: its year and raw number, not its whole header. */
interface Wanted {
  zconta: string;
  zcodigo: string;
}

/** The planillas whose bars are read: their years (empty when none is) and keys (incremental). */
interface BarsWanted {
  years: string[];
  keys: Wanted[];
}

interface Selection {
  filter: CodeFilter;
  params: QueryParams;
}

function selectionFor(params: FerrawinParams, afterCode: string | null): Selection {
  const base: QueryParams = { spiralPrefix: SPIRAL_PREFIX, spiralLength: SPIRAL_PREFIX.length };
  const descending = params.mode === "year";
  const filter: CodeFilter = { descending };
  if (afterCode) {
    filter.afterCode = true;
    base.afterCode = afterCode;
  }
  if (params.mode === "year") {
    filter.zconta = true;
    base.zconta = String(params.year);
    if (params.fromCode) {
      filter.fromCode = true;
      base.fromCode = params.fromCode;
    }
  } else if (params.mode === "one") {
    // `2026-886` means `2026-000886`; anything else is passed through as a (never matching) value.
    const code = normalizePlanillaCode(params.code) ?? params.code;
    filter.zconta = true;
    filter.code = true;
    base.zconta = code.slice(0, 4);
    base.code = code;
  }
  return { filter, params: base };
}

const label = (h: HeaderRow) => ({
  code: h.codigo,
  cliente: (h.zcliente ?? "").trim() || null,
  obra: (h.obra_nombre ?? "").trim() || stripLeadingZeros(h.obra_codigo),
});

export class FerrawinSqlSource implements FerrawinSource {
  readonly name = "ferrawin" as const;
  private readonly connection: FerrawinConnection;
  /**
   * The headers `count` just selected, kept for the `extract` of the same params that follows it: the
   * headers query aggregates every bar (fingerprints), so running it twice per run doubled the time an
   * incremental run needs to find that nothing changed. Taken once; any other call queries again.
   */
  private counted: { key: string; headers: PackedHeader[] } | null = null;

  constructor(options: FerrawinSourceOptions, private readonly deps: FerrawinSourceDeps = {}) {
    this.connection = new FerrawinConnection(options);
  }

  /** Headers of the planillas a mode selects, in its order, with incremental filtering applied. */
  private async selectHeaders(
    params: FerrawinParams,
    afterCode: string | null,
    signal: AbortSignal,
  ): Promise<PackedHeader[]> {
    const selection = selectionFor(params, afterCode);
    // The stored fingerprints are fetched while SQL Server computes its own: both take a while, and
    // neither needs the other until the first row comes back.
    const storedFetch = params.mode === "incremental"
      ? Promise.resolve(this.deps.storedFingerprints?.(signal))
        .then((map) => map ?? new Map<string, string>())
      : null;
    // Awaited below; until then a failed fetch must not count as an unhandled rejection.
    storedFetch?.catch(() => {});
    let stored: ReadonlyMap<string, string> | null = null;
    const headers: PackedHeader[] = [];
    const sql = headersQuery(selection.filter);
    for await (const row of this.connection.query("headers", sql, selection.params, signal)) {
      const h = row as unknown as HeaderRow;
      if (storedFetch) stored ??= await storedFetch;
      if (stored && !hasChanged(stored, rejectFor(h)?.record_key ?? h.codigo, fingerprintOf(h))) {
        continue;
      }
      headers.push(packHeader(h));
    }
    // A failed fetch fails the selection even when FerraWin returned no header at all.
    await storedFetch;
    return headers;
  }

  async count(params: FerrawinParams): Promise<number | null> {
    const headers = await this.selectHeaders(params, null, new AbortController().signal);
    this.counted = { key: JSON.stringify(params), headers };
    return headers.length;
  }

  /** The headers `count` selected for these params (then forgotten), else a fresh selection. */
  private headersFor(
    params: FerrawinParams,
    afterCode: string | null,
    signal: AbortSignal,
  ): Promise<PackedHeader[]> {
    const counted = this.counted;
    this.counted = null;
    if (counted && afterCode === null && counted.key === JSON.stringify(params)) {
      return Promise.resolve(counted.headers);
    }
    return this.selectHeaders(params, afterCode, signal);
  }

  async *extract(
    params: FerrawinParams,
    options: ExtractOptions<FerrawinCursor>,
  ): AsyncGenerator<PlanillaItem> {
    const { signal, log } = options;
    const afterCode = options.cursor?.lastCode ?? null;
    let headers: PackedHeader[] | null = await this.headersFor(params, afterCode, signal);
    // Headers without a usable code cannot carry a cursor: they are reported once, on a fresh (not
    // resumed) run, each right after the first item, sharing its code so the cursor stays valid.
    const blank: HeaderRow[] = [];
    // Each header is let go once its planilla is yielded, so memory does not grow with the selection.
    const selected: (PackedHeader | null)[] = [];
    const wanted: BarsWanted = { years: [], keys: [] };
    let skipped = 0;
    for (const packed of headers) {
      const h = unpackHeader(packed);
      const reject = rejectFor(h);
      if (reject?.reason === "blank_key") {
        if (afterCode) skipped++;
        else blank.push(h);
        continue;
      }
      selected.push(packed);
      if (reject) continue;
      if (wanted.years.at(-1) !== h.zconta) wanted.years.push(h.zconta!);
      if (params.mode === "incremental") {
        wanted.keys.push({ zconta: h.zconta!, zcodigo: h.zcodigo! });
      }
    }
    if (skipped) log("debug", `${skipped} headers with blank keys were already reported`);
    headers = null;
    log("info", `ferrawin ${params.mode}: ${selected.length} planillas selected`);
    let lastCode: string | null = null;
    let pendingBlank = blank;
    const flushBlank = function* (code: string): Generator<PlanillaItem> {
      for (const h of pendingBlank) {
        signal.throwIfAborted();
        yield { kind: "reject", code, reject: rejectFor(h)! };
      }
      pendingBlank = [];
    };
    const bars = this.barsFor(params, afterCode, wanted, signal, () => lastCode);
    let next = await bars.next();
    const order = params.mode === "year" ? -1 : 1;
    for (let i = 0; i < selected.length; i++) {
      const header = unpackHeader(selected[i]!);
      selected[i] = null;
      signal.throwIfAborted();
      const reject = rejectFor(header);
      if (reject) {
        yield { kind: "reject", code: header.codigo, reject, label: label(header) };
      } else {
        // SQL Server sorted both streams under FerraWin's collation: merge with its order and equality.
        while (!next.done && compareSqlText(next.value.codigo, header.codigo) * order < 0) {
          next = await bars.next();
        }
        const rows: BarRow[] = [];
        while (!next.done && isSqlTextEqual(next.value.codigo, header.codigo)) {
          rows.push(next.value);
          next = await bars.next();
        }
        yield {
          kind: "planilla",
          code: header.codigo,
          planilla: buildPlanilla(header, rows),
          label: label(header),
        };
      }
      lastCode = header.codigo;
      yield* flushBlank(header.codigo);
    }
    await bars.return(undefined);
    if (pendingBlank.length) {
      log("warn", `${pendingBlank.length} FerraWin headers with blank keys were not reported`);
    }
  }

  /** Bars of the wanted planillas in the mode's order: one streamed query, or IN-list chunks. */
  private async *barsFor(
    params: FerrawinParams,
    afterCode: string | null,
    wanted: BarsWanted,
    signal: AbortSignal,
    lastCode: () => string | null,
  ): AsyncGenerator<BarRow> {
    if (wanted.years.length === 0) return;
    const base = selectionFor(params, afterCode);
    if (params.mode === "year" || params.mode === "one") {
      yield* this.barRows(barsQuery(base.filter), base.params, signal, lastCode);
      return;
    }
    if (params.mode === "all") {
      // One query per year, in code order: each sorts one year's bars instead of all two million.
      for (const zconta of wanted.years) {
        const filter: CodeFilter = { ...base.filter, zconta: true };
        yield* this.barRows(barsQuery(filter), { ...base.params, zconta }, signal, lastCode);
      }
      return;
    }
    // Incremental: only the changed planillas, in code order, chunked per year.
    const keys = wanted.keys;
    let i = 0;
    while (i < keys.length) {
      const zconta = keys[i]!.zconta;
      const chunk: Wanted[] = [];
      while (i < keys.length && keys[i]!.zconta === zconta && chunk.length < INCREMENTAL_CHUNK) {
        chunk.push(keys[i++]!);
      }
      const filter: CodeFilter = { descending: false, zconta: true, rawCodes: chunk.length };
      const chunkParams: QueryParams = { ...base.params, zconta };
      delete chunkParams.afterCode;
      chunk.forEach((h, k) => (chunkParams[`k${k}`] = h.zcodigo));
      yield* this.barRows(barsQuery(filter), chunkParams, signal, lastCode);
    }
  }

  private async *barRows(
    sql: string,
    params: QueryParams,
    signal: AbortSignal,
    lastCode: () => string | null,
  ): AsyncGenerator<BarRow> {
    for await (const row of this.connection.query("bars", sql, params, signal, lastCode)) {
      yield row as unknown as BarRow;
    }
  }

  /** The planillas after `cursor`, grouped into batches (batches.ts). */
  batches(
    params: FerrawinParams,
    cursor: FerrawinCursor | null,
    context: BatchContext,
  ): AsyncIterable<BatchDraft> {
    const { signal, log, limits } = context;
    return planillaBatches(this.extract(params, { cursor, signal, log }), limits);
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}

/** The factory the runner's registry calls. */
export function createFerrawinSource(
  options: FerrawinSourceOptions,
  deps: FerrawinSourceDeps = {},
): FerrawinSource {
  return new FerrawinSqlSource(options, deps);
}
