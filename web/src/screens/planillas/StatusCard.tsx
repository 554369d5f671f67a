// The planilla's status card: in the cloud or not, what it is, when and by which run it was last synced
// (opening that run's detail), whether the last incremental check found it equal to FerraWin, its open
// rejects, and "Sincronizar esta planilla" (the one-planilla command staff may already send).
import { createSignal, Show } from "solid-js";
import type { PlanillaStatus } from "../../api/planillas.ts";
import { formatAgo, formatDateTime, formatNumber } from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";
import { AgentPicker } from "../../components/AgentPicker.tsx";
import { createFerrawinStart, useApp } from "../../app/context.ts";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";
import { RunDetail } from "../run-detail/RunDetail.tsx";
import { statusLabel } from "../../components/run-labels.ts";
import { modeName } from "./journal-lines.ts";
import { RejectList } from "./RejectList.tsx";
import type { PlanillaData } from "./planilla-data.ts";

export function StatusCard(props: { codigo: string; data: PlanillaData }) {
  const status = () => props.data.status();
  return (
    <section class="card planilla-status" data-testid="planilla-status">
      <div class="live-head">
        <h2 class="mono" data-testid="planilla-codigo">{props.codigo}</h2>
        <Show when={status()}>
          {(s) => (
            <span
              class={`badge ${s().in_cloud ? "state-completed" : "state-failed"}`}
              data-testid="planilla-in-cloud"
              data-in-cloud={String(s().in_cloud)}
            >
              {s().in_cloud ? t("planillas.inCloud") : t("planillas.notInCloud")}
            </span>
          )}
        </Show>
      </div>
      <Show when={status()}>{(s) => <StatusFacts status={s()} />}</Show>
      <SyncThisPlanilla codigo={props.codigo} data={props.data} />
    </section>
  );
}

function StatusFacts(props: { status: PlanillaStatus }) {
  const app = useApp();
  const [runOpen, setRunOpen] = createSignal(false);
  const s = () => props.status;
  const named = (n: { codigo: string | null; nombre: string | null } | null) =>
    n ? [n.codigo, n.nombre].filter(Boolean).join(" · ") || "—" : "—";
  return (
    <>
      <Show when={s().descripcion}>
        <p data-testid="planilla-descripcion">{s().descripcion}</p>
      </Show>
      <dl class="facts">
        <dt>{t("planillas.obra")}</dt>
        <dd data-testid="planilla-obra">{named(s().obra)}</dd>
        <dt>{t("planillas.cliente")}</dt>
        <dd>{named(s().cliente)}</dd>
        <Show when={s().seccion}>
          <dt>{t("planillas.seccion")}</dt>
          <dd>{s().seccion}</dd>
        </Show>
        <dt>{t("planillas.fechaCreacion")}</dt>
        <dd>{formatDateTime(s().fecha_creacion, lang())}</dd>
        <dt>{t("planillas.syncedAt")}</dt>
        <dd data-testid="planilla-synced-at" data-at={s().synced_at ?? ""}>
          {formatDateTime(s().synced_at, lang())}
          <Show when={s().synced_at}>
            <span class="muted small">{` (${formatAgo(s().synced_at, app.now(), lang())})`}</span>
          </Show>
        </dd>
        <dt>{t("planillas.lastRun")}</dt>
        <dd>
          <Show when={s().last_run} fallback="—">
            {(run) => (
              <button
                type="button"
                class="btn btn-link"
                data-testid="planilla-last-run"
                data-run-id={run().id}
                onClick={() => setRunOpen(!runOpen())}
              >
                {t("planillas.lastRunOpen", {
                  mode: modeName(run().mode, lang()),
                  at: formatDateTime(run().finished_at ?? run().started_at, lang()),
                })}
                {` · ${statusLabel(run().status)}`}
              </button>
            )}
          </Show>
        </dd>
        <dt>{t("planillas.lastCheck")}</dt>
        <dd
          data-testid="planilla-last-check"
          data-equal={s().last_check ? String(s().last_check!.equal) : ""}
        >
          <Show when={s().last_check} fallback={t("planillas.checkNone")}>
            {(check) => (
              <span class={`badge ${check().equal ? "state-completed" : "state-stalled"}`}>
                {t(check().equal ? "planillas.checkEqual" : "planillas.checkDiffers", {
                  at: formatDateTime(check().at, lang()),
                })}
              </span>
            )}
          </Show>
        </dd>
        <dt>{t("planillas.openRejects")}</dt>
        <dd data-testid="planilla-open-rejects" data-count={s().open_rejects.length}>
          <Show when={s().open_rejects.length > 0} fallback={t("planillas.noOpenRejects")}>
            <RejectList rejects={s().open_rejects} testId="planilla-open-rejects-list" />
          </Show>
        </dd>
        <Show when={s().in_cloud}>
          <dt>{t("planillas.elementos")}</dt>
          <dd>
            {formatNumber(s().elementos_count ?? 0, lang())} ·{" "}
            {formatNumber(s().peso_total_kg ?? 0, lang(), 1)} kg
          </dd>
        </Show>
      </dl>
      <Show when={runOpen() && s().last_run}>
        {(run) => <RunDetail runId={run().id} onClose={() => setRunOpen(false)} />}
      </Show>
    </>
  );
}

/** The one-planilla FerraWin command, sent as the staff screen and the admin panel send it. */
function SyncThisPlanilla(props: { codigo: string; data: PlanillaData }) {
  const app = useApp();
  const { command, isBusy } = createFerrawinStart(app);
  const [sentAfter, setSentAfter] = createSignal<number | null>(null);
  // The "sent" notice lasts until a run finishes after it, never past the sync it announced.
  const isWaiting = () => {
    const since = sentAfter();
    return since !== null && props.data.finishedRuns() === since;
  };
  const sync = async () => {
    const agentId = app.agentId();
    if (!agentId) return;
    const finishedBefore = props.data.finishedRuns();
    const sent = await command.send({
      agentId,
      source: "ferrawin",
      action: "start",
      params: { mode: "one", code: props.codigo },
    });
    if (sent) setSentAfter(finishedBefore);
  };
  return (
    <div class="planilla-sync">
      <AgentPicker showSelect={false} />
      <button
        type="button"
        class="btn btn-primary"
        data-testid="planilla-sync"
        disabled={!app.agentId() || isBusy()}
        onClick={() => void sync()}
      >
        {t("planillas.sync")}
      </button>
      <Show when={isWaiting()}>
        <p class="notice notice-ok" role="status" data-testid="planilla-sync-sent">
          {t("planillas.syncSent")}
        </p>
      </Show>
      <ErrorNotice error={command.error()} testId="planilla-sync-error" />
    </div>
  );
}
