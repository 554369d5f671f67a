// The live view of one run: badges, progress and numbers, growing counts, throughput chart, and the
// pause / resume / cancel controls. Each part is its own component; this one holds the run's commands.
import { createSignal, Show } from "solid-js";
import type { EntityCounts, RunSummary } from "@puente/protocol";
import { formatNumber } from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";
import type { MessageKey } from "../../i18n/dictionary.ts";
import { createCommand, useApp } from "../../app/context.ts";
import { CountsTable } from "../../components/CountsTable.tsx";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";
import { modeLabel, statusLabel } from "../../components/run-labels.ts";
import { RunDetail } from "../run-detail/RunDetail.tsx";
import { LiveRunStats } from "./LiveRunStats.tsx";
import { RunBadges } from "./RunBadges.tsx";
import { type RunAction, RunControls } from "./RunControls.tsx";
import { ThroughputChart } from "./ThroughputChart.tsx";

export function LiveRun(props: { run: RunSummary | null; canCancel: boolean; compact?: boolean }) {
  const app = useApp();
  const command = createCommand(app.api);
  const [pausingRunId, setPausingRunId] = createSignal<string | null>(null);
  const [isDetailOpen, setDetailOpen] = createSignal(false);
  const n = (v: number) => formatNumber(v, lang());

  const isPausing = () =>
    props.run !== null && pausingRunId() === props.run.id && props.run.status === "running";
  const control = async (action: RunAction) => {
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
              <RunBadges run={run()} isPausing={isPausing()} now={app.now()} />
            </header>
            <LiveRunStats run={run()} />
            <Show when={run().error}>
              {(error) => <ErrorNotice error={error()} testId="run-error" />}
            </Show>
            <Show when={!props.compact}>
              <ThroughputChart
                samples={app.store.state.rateSamples[run().id] ?? []}
                label={t("run.throughput")}
                unit={t(`run.unit.${run().source}`)}
              />
              <CountsTable counts={run().counts} />
            </Show>
            <Show when={props.compact}>
              <p class="small" data-testid="run-counts-compact">
                {t("entity.planillas")}: {n(sumChanged(run().counts.planillas))} ·{" "}
                {t("count.rejected")}: {n(run().counts.planillas?.rejected ?? 0)}
              </p>
            </Show>
            <RunControls
              run={run()}
              busy={command.busy()}
              isPausing={isPausing()}
              canCancel={props.canCancel}
              isDetailOpen={props.compact ? null : isDetailOpen()}
              onAction={(action) => void control(action)}
              onToggleDetail={() => setDetailOpen(!isDetailOpen())}
            />
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
