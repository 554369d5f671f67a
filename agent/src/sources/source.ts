// The contract between the runner and a source: what a source yields, in which order, and how it resumes.
// A source knows nothing about HTTP or runs. It yields batch drafts (`batches`): its own items grouped by
// its own rules in its folder (ferrawin/batches.ts, wispro/batches.ts), so the runner never asks which
// source it drives.
//
// How to plug a source in:
// - `agent/src/sources/ferrawin/index.ts` exports
//   `createFerrawinSource(options: FerrawinSourceOptions): FerrawinSource`.
// - `agent/src/sources/wispro/source.ts` exports
//   `createWisproSource(options: WisproSourceOptions): WisproSource`.
// - `agent/src/sources/registry.ts` (the runner's side) imports those two factories.
//
// Rules every source follows:
// - `extract` yields in one stable order. Given `cursor`, it yields only what comes strictly AFTER the
//   cursor in that order (FerraWin: after `lastCode` in the mode's order, e.g. descending for `year`;
//   Wispro: pages after `lastPage`). The runner saves the cursor only when every earlier batch was
//   acknowledged, so re-yielding the same items after a crash is safe (the edge upserts).
// - It stops promptly when `signal` aborts (the runner aborts on cancel and on failure).
// - It throws `SourceUnavailable` (agent/src/errors/source-unavailable.ts) when it cannot reach or
//   log in to its system, with a message that says what to check. Any other throw fails the run.
// - A record it refuses is yielded as a reject (never thrown), so one bad record never fails a run.
// - `close()` releases connections; the runner always calls it, also after a failure.
import type {
  Customer,
  CustomerBatch,
  FerrawinParams,
  Planilla,
  PlanillaBatch,
  RunCursor,
  Source,
  SourceReject,
  WisproParams,
} from "@puente/protocol";

/** A line the source wants in the run's log (it is shipped to the panel as a run event). */
export type SourceLog = (level: "debug" | "info" | "warn" | "error", message: string) => void;

export interface ExtractOptions<C extends RunCursor> {
  /** Continue after this point; null starts from the beginning of the mode's order. */
  cursor: C | null;
  signal: AbortSignal;
  log: SourceLog;
}

/** How a run is labelled while it passes a record: shown as "last planilla" in the panel. */
export interface ItemLabel {
  code: string;
  cliente: string | null;
  obra: string | null;
}

/** FerraWin yields one item per planilla: either the planilla to store, or why it was refused. */
export type PlanillaItem =
  | { kind: "planilla"; code: string; planilla: Planilla; label?: ItemLabel }
  | { kind: "reject"; code: string; reject: SourceReject; label?: ItemLabel };

/** What the runner sends for one batch, before it numbers it. */
export interface BatchDraft {
  body: Omit<PlanillaBatch, "v" | "seq"> | Omit<CustomerBatch, "v" | "seq">;
  /** Where the run stands once this batch and every earlier one are acknowledged. */
  cursor: RunCursor;
  /** Items this batch completes (planillas sent + refused, or customer records). */
  units: number;
  label: ItemLabel | null;
  /** Wispro: the total record count the page reported. */
  totalRecords?: number;
}

export interface PlanillaBatchLimits {
  /** PUENTE_BATCH_PLANILLAS. */
  planillas: number;
  /** PUENTE_BATCH_ELEMENTOS: a batch closes once it holds this many elementos. */
  elementos: number;
}

/** What a run hands a source besides its params and cursor. */
export interface BatchContext {
  signal: AbortSignal;
  log: SourceLog;
  limits: PlanillaBatchLimits;
}

/** The cursor of one source. */
export type CursorOf<S extends Source> = Extract<RunCursor, { source: S }>;

/** Any source, by its params `P` and cursor `C`: counts, then yields batches after a cursor. */
export interface SyncSource<P, C extends RunCursor> {
  readonly name: C["source"];
  /** How many items `batches` will cover for these params (from the start), or null if unknown. */
  count(params: P): Promise<number | null>;
  /** The batches after `cursor` (from the start when null), in the source's one stable order. */
  batches(params: P, cursor: C | null, context: BatchContext): AsyncIterable<BatchDraft>;
  close(): Promise<void>;
}

/** A source opened for one run's params: all a run session needs, whichever source it is. */
export interface RunSource {
  readonly name: Source;
  count(): Promise<number | null>;
  /** A cursor of another source (a run reopened with a stale one) counts as none. */
  batches(cursor: RunCursor | null, context: BatchContext): AsyncIterable<BatchDraft>;
  close(): Promise<void>;
}

/** Binds a source to one run's params. */
export function forRun<P, C extends RunCursor>(source: SyncSource<P, C>, params: P): RunSource {
  const isOwn = (cursor: RunCursor | null): cursor is C => cursor?.source === source.name;
  return {
    name: source.name,
    count: () => source.count(params),
    batches: (cursor, context) => source.batches(params, isOwn(cursor) ? cursor : null, context),
    close: () => source.close(),
  };
}

/** FerraWin: `count` is the planillas `extract` will yield for the params (from the start). */
export interface FerrawinSource extends SyncSource<FerrawinParams, CursorOf<"ferrawin">> {
  extract(params: FerrawinParams, options: ExtractOptions<CursorOf<"ferrawin">>): AsyncIterable<
    PlanillaItem
  >;
}

/** Wispro yields one page of clients at a time, already mapped to customers, plus that page's rejects. */
export interface CustomerPage {
  /** 1-based page number; pages are yielded in ascending order. */
  page: number;
  totalPages: number;
  totalRecords: number;
  customers: Customer[];
  rejects: SourceReject[];
}

/** Wispro: `count` is the total of client records (the run's total). */
export interface WisproSource extends SyncSource<WisproParams, CursorOf<"wispro">> {
  extract(params: WisproParams, options: ExtractOptions<CursorOf<"wispro">>): AsyncIterable<
    CustomerPage
  >;
}

/** Connection settings the runner passes to `createFerrawinSource` (from FERRAWIN_* variables). */
export interface FerrawinSourceOptions {
  /** The machine only; an instance given as `HOST\\INSTANCE` is split into `instanceName`. */
  host: string;
  /** Null when a named instance's port is found through SQL Browser (UDP 1434). */
  port: number | null;
  /** A named instance (SQLEXPRESS…), or null/absent for the default instance. */
  instanceName?: string | null;
  database: string;
  /** "sql" (default): a SQL Server login; "ntlm": a Windows account of `domain`. */
  authentication?: "sql" | "ntlm";
  domain?: string | null;
  username: string;
  password: string;
  /** FERRAWIN_ENCRYPT; the devstack's TDS stand-in needs false unless started with TLS. */
  encrypt: boolean;
  trustServerCertificate: boolean;
  /** The oldest TLS version accepted (FERRAWIN_TLS_MIN_VERSION), for servers that speak only TLS 1.0. */
  tlsMinVersion?: "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3" | null;
  /** A PEM file of the CA that signed the server's certificate (FERRAWIN_CA_FILE). */
  caFile?: string | null;
}

/** Settings the runner passes to `createWisproSource` (from WISPRO_* variables). */
export interface WisproSourceOptions {
  baseUrl: string;
  token: string;
  /** Nationality letter for an id number that carries none (V, E, J, G or P). */
  defaultNationality: "V" | "E" | "J" | "G" | "P";
  perPage: number;
  concurrency: number;
  /** Per request attempt (WISPRO_TIMEOUT_SECONDS); a page that takes longer is retried. Default 30 s. */
  timeoutMs?: number;
  /** The office's proxy (PUENTE_PROXY / HTTPS_PROXY), or null. */
  proxy?: string | null;
  /** Hosts reached directly (NO_PROXY). */
  noProxy?: string[];
}
