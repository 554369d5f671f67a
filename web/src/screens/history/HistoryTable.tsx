// The history table: start, source, mode, who started it, status, progress, duration, average rate,
// rejects by reason, and a button that opens the run's detail.
import { For, Show } from "solid-js";
import type { HistoryRun } from "../../api/rpc-shapes.ts";
import { formatDateTime, formatDuration, formatNumber, formatRate } from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";
import { rejectedTotal } from "../../realtime/reducers.ts";
import { DataTable } from "../../components/DataTable.tsx";
import { modeLabel, reasonLabel, statusLabel } from "../../components/run-labels.ts";
import { averageRate, rejectGroups, runDurationS, startedBy } from "./history-row.ts";

export function HistoryTable(props: {
  runs: readonly HistoryRun[];
  now: number;
  onOpen: (runId: string) => void;
}) {
  const n = (v: number) => formatNumber(v, lang());
  return (
    <DataTable
      testId="history-table"
      rows={props.runs}
      empty={t("history.empty")}
      emptyTestId="history-empty"
      rowAttrs={(run) => ({ "data-testid": `history-row-${run.id}`, "data-status": run.status })}
      columns={[
        {
          header: t("run.started"),
          cell: (run) => formatDateTime(run.startedAt ?? run.createdAt, lang()),
        },
        { header: t("run.source"), cell: (run) => t(`source.${run.source}`) },
        { header: t("run.mode"), cell: (run) => modeLabel(run) },
        {
          header: t("run.startedBy"),
          cellTestId: "history-started-by",
          cell: (run) => {
            const by = startedBy(run);
            return by === null ? "—" : by.kind === "schedule" ? t("run.startedBySchedule") : by.who;
          },
        },
        {
          header: t("run.status"),
          cell: (run) => <span class={`badge state-${run.status}`}>{statusLabel(run.status)}</span>,
        },
        {
          header: t("run.progress"),
          cell: (run) => `${n(run.done)}${run.total === null ? "" : ` / ${n(run.total)}`}`,
        },
        {
          header: t("run.duration"),
          cellTestId: "history-duration",
          cell: (run) => formatDuration(runDurationS(run, props.now)),
        },
        {
          header: t("run.avgRate"),
          cellTestId: "history-rate",
          cell: (run) => {
            const rate = averageRate(run, props.now);
            return rate === null
              ? "—"
              : `${formatRate(rate, lang())} (${t(`run.unit.${run.source}`)})`;
          },
        },
        {
          header: t("run.rejected"),
          cellTestId: "history-rejects",
          cell: (run) => (
            <>
              {n(rejectedTotal(run.counts))}
              <Show when={rejectGroups(run.rejectsByReason).length > 0}>
                <ul class="reject-groups small">
                  <For each={rejectGroups(run.rejectsByReason)}>
                    {(g) => <li data-reason={g.reason}>{reasonLabel(g.reason)}: {n(g.count)}</li>}
                  </For>
                </ul>
              </Show>
            </>
          ),
        },
        {
          header: t("history.open"),
          hiddenHeader: true,
          cell: (run) => (
            <button
              type="button"
              class="btn btn-secondary btn-small"
              data-testid="history-open"
              onClick={() => props.onOpen(run.id)}
            >
              {t("history.open")}
            </button>
          ),
        },
      ]}
    />
  );
}
