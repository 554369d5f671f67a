import { describe, expect, test } from "bun:test";
import { createRoot } from "solid-js";
import type { RunSummary } from "@puente/protocol";
import type { Api } from "../../api/client.ts";
import type { SyncStore } from "../../realtime/store.ts";
import { emptySyncState } from "../../realtime/reducers.ts";
import { createPlanillaData } from "./planilla-data.ts";

const CODIGO = "2025-007816";
const answers: Record<string, unknown> = {
  planilla_status: { codigo: CODIGO, in_cloud: true },
  planilla_journal: { entries: [], next: null },
  planilla_elementos: {
    items: [],
    next: null,
    totals: { elementos: 0, barras: 0, peso_kg: 0, by_diametro: [] },
  },
};

/** A backend that answers the three reads and resolves `reads` each time all three were asked. */
function fakeApp(runs: Partial<RunSummary>[]) {
  const calls: string[] = [];
  let waiting: (() => void) | null = null;
  const api = {
    rpc(name: string, _args: unknown, schema: { parse(v: unknown): unknown }) {
      calls.push(name);
      if (calls.filter((c) => c === "planilla_status").length && name === "planilla_elementos") {
        queueMicrotask(() => waiting?.());
      }
      return Promise.resolve(schema.parse(answers[name]));
    },
  } as unknown as Api;
  const listeners = new Set<(runId: string | null) => void>();
  const state = { ...emptySyncState(), liveRuns: runs as RunSummary[] };
  const store = {
    state,
    onEvent(listener: (runId: string | null) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as SyncStore;
  return {
    app: { api, store },
    emit: (runId: string | null) => listeners.forEach((l) => l(runId)),
    statusReads: () => calls.filter((c) => c === "planilla_status").length,
    nextRead: () => new Promise<void>((resolve) => (waiting = resolve)),
  };
}

describe("the open planilla follows live runs", () => {
  test("a FerraWin run's progress is read once per interval; a finished run is read at once", async () => {
    const fake = fakeApp([
      { id: "f1", source: "ferrawin", status: "running" },
      { id: "f2", source: "ferrawin", status: "completed" },
      { id: "w1", source: "wispro", status: "completed" },
    ]);
    await createRoot(async (dispose) => {
      const first = fake.nextRead();
      const data = createPlanillaData(fake.app, CODIGO, { progressMs: 60_000, finishedMs: 1 });
      await first;
      expect(fake.statusReads()).toBe(1);

      // Wispro runs never touch a planilla; five progress events wait for one refresh a minute away…
      fake.emit("w1");
      for (let i = 0; i < 5; i++) fake.emit("f1");
      // …which a finished FerraWin run pulls forward to now: one read for all six events.
      const second = fake.nextRead();
      fake.emit("f2");
      await second;
      expect(fake.statusReads()).toBe(2);
      expect(data.refreshes()).toBe(1);
      expect(data.finishedRuns()).toBe(1);
      dispose();
    });
  });
});
