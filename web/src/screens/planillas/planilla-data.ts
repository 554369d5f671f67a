// One open planilla's data (status, journal, elementos, each paginated) and how it stays current: it
// re-reads all three when a FerraWin run that may have touched it progresses or lands, as the realtime
// store reports it (Pusher's run.progress / run.finished), never by reloading the page.
import { createSignal, onCleanup } from "solid-js";
import {
  type ElementoRow,
  type ElementosPage,
  type JournalEntry,
  planillaElementos,
  planillaJournal,
  type PlanillaStatus,
  planillaStatus,
} from "../../api/planillas.ts";
import type { AppContextValue } from "../../app/context.ts";
import { isFinalStatus } from "../../realtime/reducers.ts";

/** While a run is going, re-read at most this often; a finished run is read at once (events coalesced). */
export const REFRESH_DELAYS = { progressMs: 3000, finishedMs: 150 };

export interface PlanillaData {
  status: () => PlanillaStatus | null;
  journal: () => JournalEntry[];
  journalNext: () => number | null;
  elementos: () => ElementoRow[];
  elementosNext: () => string | null;
  totals: () => ElementosPage["totals"] | null;
  loading: () => boolean;
  error: () => unknown;
  /** How many times the data was re-read after a live event (tests read it as `data-refreshes`). */
  refreshes: () => number;
  /** Runs that finished while this screen was open (the "sent" notice clears with them). */
  finishedRuns: () => number;
  refresh: () => Promise<void>;
  moreJournal: () => Promise<void>;
  moreElementos: () => Promise<void>;
}

export function createPlanillaData(
  app: Pick<AppContextValue, "api" | "store">,
  codigo: string,
  delays = REFRESH_DELAYS,
): PlanillaData {
  const [status, setStatus] = createSignal<PlanillaStatus | null>(null);
  const [journal, setJournal] = createSignal<JournalEntry[]>([]);
  const [journalNext, setJournalNext] = createSignal<number | null>(null);
  const [elementos, setElementos] = createSignal<ElementoRow[]>([]);
  const [elementosNext, setElementosNext] = createSignal<string | null>(null);
  const [totals, setTotals] = createSignal<ElementosPage["totals"] | null>(null);
  const [loading, setLoading] = createSignal(true);
  const [error, setError] = createSignal<unknown>(null);
  const [refreshes, setRefreshes] = createSignal(0);
  const [finishedRuns, setFinishedRuns] = createSignal(0);

  /** Reads the first page of everything; a later read started meanwhile wins. */
  let generation = 0;
  async function refresh(): Promise<void> {
    const mine = ++generation;
    setLoading(true);
    try {
      const [s, j, e] = await Promise.all([
        planillaStatus(app.api, codigo),
        planillaJournal(app.api, codigo),
        planillaElementos(app.api, codigo),
      ]);
      if (mine !== generation) return;
      setStatus(s);
      setJournal(j.entries);
      setJournalNext(j.next);
      setElementos(e.items);
      setElementosNext(e.next);
      setTotals(e.totals);
      setError(null);
    } catch (e) {
      if (mine === generation) setError(e);
    } finally {
      if (mine === generation) setLoading(false);
    }
  }

  /** Appends the page after `cursor` to a list; a failure shows as the screen's error. */
  async function appendPage<C, T>(
    cursor: C | null,
    read: (cursor: C) => Promise<{ rows: T[]; next: C | null }>,
    list: () => T[],
    setList: (rows: T[]) => void,
    setNext: (next: C | null) => void,
  ): Promise<void> {
    if (cursor === null) return;
    try {
      const page = await read(cursor);
      setList([...list(), ...page.rows]);
      setNext(page.next);
    } catch (e) {
      setError(e);
    }
  }

  const moreJournal = () =>
    appendPage(
      journalNext(),
      async (before) => {
        const page = await planillaJournal(app.api, codigo, before);
        return { rows: page.entries, next: page.next };
      },
      journal,
      setJournal,
      setJournalNext,
    );

  const moreElementos = () =>
    appendPage(
      elementosNext(),
      async (after) => {
        const page = await planillaElementos(app.api, codigo, after);
        return { rows: page.items, next: page.next };
      },
      elementos,
      setElementos,
      setElementosNext,
    );

  // One timer at a time: a finished run pulls a pending progress refresh forward, never pushes it back.
  let timer: ReturnType<typeof setTimeout> | null = null;
  let dueAt = Infinity;
  const schedule = (delayMs: number) => {
    const at = Date.now() + delayMs;
    if (timer !== null && dueAt <= at) return;
    if (timer !== null) clearTimeout(timer);
    dueAt = at;
    timer = setTimeout(() => {
      timer = null;
      dueAt = Infinity;
      setRefreshes((n) => n + 1);
      void refresh();
    }, delayMs);
  };
  const off = app.store.onEvent((runId) => {
    // null: the store re-read the database (a reconnect, "Actualizar", or after a run finished).
    if (runId === null) return schedule(delays.finishedMs);
    const state = app.store.state;
    const run = state.liveRuns.find((r) => r.id === runId) ??
      state.history.find((r) => r.id === runId);
    if (run && run.source !== "ferrawin") return;
    if (run && isFinalStatus(run.status)) {
      setFinishedRuns((n) => n + 1);
      return schedule(delays.finishedMs);
    }
    schedule(delays.progressMs);
  });
  onCleanup(() => {
    off();
    if (timer !== null) clearTimeout(timer);
  });

  void refresh();
  return {
    status,
    journal,
    journalNext,
    elementos,
    elementosNext,
    totals,
    loading,
    error,
    refreshes,
    finishedRuns,
    refresh,
    moreJournal,
    moreElementos,
  };
}
