// What a history row says beyond the run's own fields: how long it took, its average rate, who or which
// schedule started it, and its rejects grouped by reason.
import type { HistoryRun } from "../../api/rpc-shapes.ts";

/** Seconds from start to finish; a run still going counts up to `now`; null before it started. */
export function runDurationS(run: Pick<HistoryRun, "startedAt" | "finishedAt">, now: number) {
  if (!run.startedAt) return null;
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  const seconds = (end - Date.parse(run.startedAt)) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

/** Records per second over the whole run (done / duration), null without a duration. */
export function averageRate(
  run: Pick<HistoryRun, "startedAt" | "finishedAt" | "done">,
  now: number,
): number | null {
  const seconds = runDurationS(run, now);
  return seconds === null || seconds <= 0 ? null : run.done / seconds;
}

/** "schedule" for an automatic run, the requester's email for a manual one, null when unknown. */
export function startedBy(
  run: Pick<HistoryRun, "scheduled" | "requestedBy">,
): { kind: "schedule" } | { kind: "person"; who: string } | null {
  if (run.scheduled) return { kind: "schedule" };
  return run.requestedBy ? { kind: "person", who: run.requestedBy } : null;
}

/** The rejects by reason, most first (ties by reason), without empty ones. */
export function rejectGroups(
  byReason: Record<string, number>,
): { reason: string; count: number }[] {
  return Object.entries(byReason)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}
