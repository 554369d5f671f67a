// A run as the web's tests need one: a FerraWin year run half done, overridable field by field.
import type { RunSummary } from "@puente/protocol";

export function runSummary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    id: "r1",
    agentId: "a1",
    commandId: null,
    source: "ferrawin",
    mode: "year",
    params: { mode: "year", year: 2025 },
    status: "running",
    scheduled: false,
    total: 80,
    done: 40,
    counts: {},
    cursor: null,
    ratePerS: 4,
    lastItem: { code: "2025-000040", cliente: "ACME", obra: null },
    error: null,
    createdAt: "2026-12-05T09:59:00Z",
    startedAt: "2026-12-05T09:59:00Z",
    updatedAt: "2026-12-05T09:59:50Z",
    finishedAt: null,
    ...over,
  };
}
