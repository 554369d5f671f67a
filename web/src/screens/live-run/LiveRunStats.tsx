// A live run's numbers: the progress bar, done/total with percent, rate, time left, and the last planilla
// (or customer) with its client and site.
import { Show } from "solid-js";
import type { RunSummary } from "@puente/protocol";
import {
  displayRate,
  etaSeconds,
  formatDuration,
  formatNumber,
  formatRate,
  percent,
} from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";
import { isFinalStatus } from "../../realtime/reducers.ts";
import { doneText } from "../run-detail/RunSummaryStats.tsx";

export function LiveRunStats(props: { run: RunSummary }) {
  const pct = () => percent(props.run.done, props.run.total);
  const isFinal = () => isFinalStatus(props.run.status);
  return (
    <>
      <div
        class="progress"
        role="progressbar"
        aria-label={t("run.progress")}
        aria-valuemin="0"
        aria-valuemax={props.run.total ?? undefined}
        aria-valuenow={props.run.done}
        aria-valuetext={pct() === null
          ? t("run.doneNoTotal", { done: formatNumber(props.run.done, lang()) })
          : `${pct()}%`}
        data-testid="run-progress"
      >
        <div
          class={`progress-fill ${pct() === null && !isFinal() ? "indeterminate" : ""}`}
          style={{ width: `${pct() ?? (isFinal() ? 100 : 30)}%` }}
        />
      </div>
      <dl class="stats">
        <div>
          <dt>{t("run.progress")}</dt>
          <dd data-testid="run-done-total">
            {doneText(props.run)}
            <Show when={pct() !== null}>{` (${pct()}%)`}</Show>
          </dd>
        </div>
        <div>
          <dt>{t("run.rate")}</dt>
          <dd data-testid="run-rate">{formatRate(displayRate(props.run), lang())}</dd>
        </div>
        <div>
          <dt>{t("run.eta")}</dt>
          <dd data-testid="run-eta">
            {isFinal()
              ? "—"
              : formatDuration(etaSeconds(props.run.done, props.run.total, props.run.ratePerS))}
          </dd>
        </div>
        <Show when={props.run.lastItem}>
          {(item) => (
            <div class="wide">
              <dt>{props.run.source === "wispro" ? t("run.lastCustomer") : t("run.lastItem")}</dt>
              <dd data-testid="run-last-item">
                <strong>{item().code}</strong>
                <Show when={item().cliente}>
                  {" · "}
                  {t("run.client")}: {item().cliente}
                </Show>
                <Show when={item().obra}>
                  {" · "}
                  {t("run.obra")}: {item().obra}
                </Show>
              </dd>
            </div>
          )}
        </Show>
      </dl>
    </>
  );
}
