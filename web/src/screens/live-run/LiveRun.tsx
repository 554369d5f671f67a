// The live view of one run: progress bar, done/total, rate, ETA, last planilla, growing counts, throughput chart,
// and the pause / resume / cancel controls.
import { createSignal, Show } from "solid-js";
import type { EntityCounts, RunSummary } from "@puente/protocol";
import {
  displayRate,
  etaSeconds,
  formatAgo,
  formatDuration,
  formatNumber,
  formatRate,
  percent,
} from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";
import type { MessageKey } from "../../i18n/dictionary.ts";
import { isFinalStatus } from "../../realtime/reducers.ts";
import { createCommand, useApp } from "../../app/context.ts";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";
import { ThroughputChart } from "./ThroughputChart.tsx";
import { CountsTable } from "../../components/CountsTable.tsx";
import { RunDetail } from "../run-detail/RunDetail.tsx";
import {
  modeLabel,
  remoteStatusKey,
  runStateKey,
  statusLabel,
} from "../../components/run-labels.ts";

export function LiveRun(props: { run: RunSummary | null; canCancel: boolean; compact?: boolean }) {
  const app = useApp();
  const command = createCommand(app.api);
  const [pausingRunId, setPausingRunId] = createSignal<string | null>(null);
  const [isDetailOpen, setDetailOpen] = createSignal(false);
  const n = (v: number) => formatNumber(v, lang());

  const isPausing = () =>
    props.run !== null && pausingRunId() === props.run.id && props.run.status === "running";
  const pct = () => (props.run ? percent(props.run.done, props.run.total) : null);
  const control = async (action: "pause" | "resume" | "cancel") => {
    const run = props.run;
    if (!run) return;
    if (action === "cancel" && !globalThis.confirm(t("control.cancelConfirm"))) return;
    const ok = await command.send({
      agentId: run.agentId,
      source: run.source,
      action,
      params: { runId: run.id },
    });
    if (ok && action === "pause") setPausingRunId(run.id);
    if (action !== "pause") setPausingRunId(null);
  };

  return (
    <section
      class="card live-run"
      data-testid="live-run"
      data-run-id={props.run?.id ?? ""}
      data-status={props.run?.status ?? ""}
      aria-live="polite"
    >
      <Show
        when={props.run}
        fallback={<p class="muted" data-testid="live-run-empty">{t("run.none")}</p>}
      >
        {(run) => (
          <>
            <header class="live-head">
              <h2>
                {t(`source.${run().source}` as MessageKey)} · {modeLabel(run())}
              </h2>
              <div class="badges">
                <span class={`badge state-${run().status}`} data-testid="run-state">
                  {t(runStateKey(run(), isPausing()))}
                </span>
                <span class={`badge remote-${run().status}`} data-testid="run-remote-status">
                  {t(remoteStatusKey(run()))}
                </span>
                <span class="muted small" data-testid="run-updated">
                  {t("updatedAgo", { ago: formatAgo(run().updatedAt, app.now(), lang()) })}
                </span>
              </div>
            </header>

            <div
              class="progress"
              role="progressbar"
              aria-label={t("run.progress")}
              aria-valuemin="0"
              aria-valuemax={run().total ?? undefined}
              aria-valuenow={run().done}
              aria-valuetext={pct() === null
                ? t("run.doneNoTotal", { done: n(run().done) })
                : `${pct()}%`}
              data-testid="run-progress"
            >
              <div
                class={`progress-fill ${
                  pct() === null && !isFinalStatus(run().status) ? "indeterminate" : ""
                }`}
                style={{ width: `${pct() ?? (isFinalStatus(run().status) ? 100 : 30)}%` }}
              />
            </div>

            <dl class="stats">
              <div>
                <dt>{t("run.progress")}</dt>
                <dd data-testid="run-done-total">
                  {run().total === null
                    ? t("run.doneNoTotal", { done: n(run().done) })
                    : t("run.doneOfTotal", { done: n(run().done), total: n(run().total ?? 0) })}
                  <Show when={pct() !== null}>{` (${pct()}%)`}</Show>
                </dd>
              </div>
              <div>
                <dt>{t("run.rate")}</dt>
                <dd data-testid="run-rate">{formatRate(displayRate(run()), lang())}</dd>
              </div>
              <div>
                <dt>{t("run.eta")}</dt>
                <dd data-testid="run-eta">
                  {isFinalStatus(run().status)
                    ? "—"
                    : formatDuration(etaSeconds(run().done, run().total, run().ratePerS))}
                </dd>
              </div>
              <Show when={run().lastItem}>
                {(item) => (
                  <div class="wide">
                    <dt>{run().source === "wispro" ? t("run.lastCustomer") : t("run.lastItem")}</dt>
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

            <Show when={run().error}>
              {(error) => <ErrorNotice error={error()} testId="run-error" />}
            </Show>

            <Show when={!props.compact}>
              <ThroughputChart
                samples={app.store.state.rateSamples[run().id] ?? []}
                label={t("run.throughput")}
              />
              <CountsTable counts={run().counts} />
            </Show>
            <Show when={props.compact}>
              <p class="small" data-testid="run-counts-compact">
                {t("entity.planillas")}: {n(sumChanged(run().counts.planillas))} ·{" "}
                {t("count.rejected")}: {n(run().counts.planillas?.rejected ?? 0)}
              </p>
            </Show>

            <div class="actions">
              <Show when={run().status === "running" || run().status === "queued"}>
                <button
                  type="button"
                  class="btn btn-secondary"
                  data-testid="run-pause"
                  disabled={command.busy() || isPausing()}
                  onClick={() => control("pause")}
                >
                  {isPausing() ? t("state.pausing") : t("control.pause")}
                </button>
              </Show>
              <Show when={run().status === "paused" || run().status === "stalled"}>
                <button
                  type="button"
                  class="btn btn-primary"
                  data-testid="run-resume"
                  disabled={command.busy()}
                  onClick={() => control("resume")}
                >
                  {t("control.resume")}
                </button>
              </Show>
              <Show when={!props.compact}>
                <button
                  type="button"
                  class="btn btn-secondary"
                  data-testid="run-open-detail"
                  aria-expanded={isDetailOpen()}
                  onClick={() => setDetailOpen(!isDetailOpen())}
                >
                  {isDetailOpen() ? t("close") : t("history.open")}
                </button>
              </Show>
              <Show when={props.canCancel && !isFinalStatus(run().status)}>
                <button
                  type="button"
                  class="btn btn-danger"
                  data-testid="run-cancel"
                  disabled={command.busy()}
                  onClick={() => control("cancel")}
                >
                  {t("control.cancel")}
                </button>
              </Show>
            </div>
            <ErrorNotice error={command.error()} testId="run-control-error" />
            <Show when={isDetailOpen()}>
              <RunDetail runId={run().id} embedded onClose={() => setDetailOpen(false)} />
            </Show>
            <span class="sr-only" data-testid="run-status-raw">{statusLabel(run().status)}</span>
          </>
        )}
      </Show>
    </section>
  );
}

function sumChanged(c: EntityCounts | undefined): number {
  return c ? c.created + c.updated + c.unchanged + c.deleted : 0;
}
