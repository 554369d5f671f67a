// A run's summary on its detail: source, mode, status, progress, start and end, its error and its counts.
import { Show } from "solid-js";
import type { RunSummary } from "@puente/protocol";
import { formatDateTime, formatNumber } from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";
import { CountsTable } from "../../components/CountsTable.tsx";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";
import { modeLabel, statusLabel } from "../../components/run-labels.ts";

/** "4 de 10" or "4 procesadas" when the total is not known. */
export function doneText(run: Pick<RunSummary, "done" | "total">): string {
  const done = formatNumber(run.done, lang());
  return run.total === null
    ? t("run.doneNoTotal", { done })
    : t("run.doneOfTotal", { done, total: formatNumber(run.total, lang()) });
}

export function RunSummaryStats(props: { run: RunSummary }) {
  return (
    <>
      <dl class="stats">
        <div>
          <dt>{t("run.source")}</dt>
          <dd>{t(`source.${props.run.source}`)}</dd>
        </div>
        <div>
          <dt>{t("run.mode")}</dt>
          <dd>{modeLabel(props.run)}</dd>
        </div>
        <div>
          <dt>{t("run.status")}</dt>
          <dd data-testid="run-detail-status">{statusLabel(props.run.status)}</dd>
        </div>
        <div>
          <dt>{t("run.progress")}</dt>
          <dd>{doneText(props.run)}</dd>
        </div>
        <div>
          <dt>{t("run.started")}</dt>
          <dd>{formatDateTime(props.run.startedAt ?? props.run.createdAt, lang())}</dd>
        </div>
        <div>
          <dt>{t("run.finished")}</dt>
          <dd>{formatDateTime(props.run.finishedAt, lang())}</dd>
        </div>
      </dl>
      <Show when={props.run.error}>
        {(e) => <ErrorNotice error={e()} testId="run-detail-run-error" />}
      </Show>
      <CountsTable counts={props.run.counts} />
    </>
  );
}
