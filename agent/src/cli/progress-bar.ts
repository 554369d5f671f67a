// What `sync` draws in the terminal: one progress line (bar, done/total, rate, ETA, last item) and the
// final summary table. Pure: it formats snapshots and never writes.
import type { EntityCounts } from "@puente/protocol";
import type { RunOutcome, RunSnapshot } from "../run/runner.ts";
import { t } from "../i18n/i18n.ts";

/** `1:05:09`, `4:05`, `0:07`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** Seconds left at the current rate, or null when it cannot be told. */
export function etaMs(snapshot: Pick<RunSnapshot, "total" | "done" | "ratePerS">): number | null {
  if (snapshot.total === null || !snapshot.ratePerS || snapshot.ratePerS <= 0) return null;
  return (Math.max(0, snapshot.total - snapshot.done) / snapshot.ratePerS) * 1000;
}

export function renderProgressLine(snapshot: RunSnapshot, width = 80): string {
  const { total, done } = snapshot;
  const fraction = total ? Math.min(1, done / total) : 0;
  const barWidth = Math.max(10, Math.min(30, width - 60));
  const filled = Math.round(fraction * barWidth);
  const bar = total === null
    ? "?".repeat(barWidth)
    : "█".repeat(filled) + "░".repeat(barWidth - filled);
  const percent = total ? `${String(Math.floor(fraction * 100)).padStart(3)}%` : "  …";
  const eta = etaMs(snapshot);
  const parts = [
    `${bar} ${percent}`,
    `${done}/${total ?? "?"}`,
    snapshot.ratePerS !== null ? `${snapshot.ratePerS.toFixed(1)}/s` : "",
    eta !== null ? `ETA ${formatDuration(eta)}` : "",
    snapshot.lastItem?.code ?? "",
  ].filter(Boolean);
  const line = parts.join(" · ");
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

const FIELDS = ["created", "updated", "unchanged", "deleted", "rejected"] as const;

/** The final table: outcome, time, then one row per kind of record with its counts. */
export function renderSummary(outcome: RunOutcome): string {
  const lines = [
    t("sync.summaryRun", {
      runId: outcome.runId,
      status: t(`sync.status.${outcome.status}`),
      elapsed: formatDuration(outcome.elapsedMs),
    }),
    t("sync.summaryProcessed", { done: outcome.done }) +
    (outcome.total !== null ? t("sync.summaryOf", { total: outcome.total }) : "") +
    (outcome.ratePerS ? ` (${outcome.ratePerS.toFixed(1)}/s)` : ""),
  ];
  if (outcome.error) lines.push(t("sync.summaryError", outcome.error));
  const kinds = Object.entries(outcome.counts).filter((entry): entry is [string, EntityCounts] =>
    entry[1] !== undefined
  );
  if (kinds.length) {
    const header = ["", ...FIELDS.map((f) => t(`sync.count.${f}`))];
    const rows = kinds.map(([kind, counts]) => [kind, ...FIELDS.map((f) => String(counts[f]))]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const format = (cells: string[]) =>
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
    lines.push("", format(header), format(widths.map((w) => "─".repeat(w))), ...rows.map(format));
  }
  return lines.join("\n");
}
