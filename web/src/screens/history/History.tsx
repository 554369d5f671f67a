// Run history with source and status filters; a row opens the run's detail.
import { createSignal, For, Show } from "solid-js";
import { RunStatus } from "@puente/protocol";
import { formatDateTime, formatNumber } from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";
import { rejectedTotal } from "../../realtime/reducers.ts";
import { useApp } from "../../app/context.ts";
import { RunDetail } from "../run-detail/RunDetail.tsx";
import { modeLabel, statusLabel } from "../../components/run-labels.ts";

export function History(props: { showSourceFilter: boolean }) {
  const app = useApp();
  const [source, setSource] = createSignal("");
  const [status, setStatus] = createSignal("");
  const [openRunId, setOpenRunId] = createSignal<string | null>(null);
  const apply = () =>
    void app.store.setHistoryFilters({ source: source() || null, status: status() || null });
  // Live events add runs of any kind; the filters apply to what is shown too.
  const rows = () =>
    app.store.state.history.filter((r) =>
      (!source() || r.source === source()) && (!status() || r.status === status())
    );

  return (
    <section class="card" data-testid="history">
      <h2>{t("history.title")}</h2>
      <div class="row filters">
        <Show when={props.showSourceFilter}>
          <label>
            {t("history.filterSource")}
            <select
              data-testid="history-filter-source"
              value={source()}
              onChange={(e) => {
                setSource(e.currentTarget.value);
                apply();
              }}
            >
              <option value="">{t("history.all")}</option>
              <option value="ferrawin">{t("source.ferrawin")}</option>
              <option value="wispro">{t("source.wispro")}</option>
            </select>
          </label>
        </Show>
        <label>
          {t("history.filterStatus")}
          <select
            data-testid="history-filter-status"
            value={status()}
            onChange={(e) => {
              setStatus(e.currentTarget.value);
              apply();
            }}
          >
            <option value="">{t("history.all")}</option>
            <For each={RunStatus.options}>{(s) => <option value={s}>{statusLabel(s)}</option>}</For>
          </select>
        </label>
      </div>
      <div class="table-wrap">
        <table data-testid="history-table">
          <thead>
            <tr>
              <th scope="col">{t("run.started")}</th>
              <th scope="col">{t("run.source")}</th>
              <th scope="col">{t("run.mode")}</th>
              <th scope="col">{t("run.status")}</th>
              <th scope="col">{t("run.progress")}</th>
              <th scope="col">{t("run.rejected")}</th>
              <th scope="col">
                <span class="sr-only">{t("history.open")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            <For
              each={rows()}
              fallback={
                <tr>
                  <td colSpan={7} data-testid="history-empty">{t("history.empty")}</td>
                </tr>
              }
            >
              {(run) => (
                <tr data-testid={`history-row-${run.id}`} data-status={run.status}>
                  <td>{formatDateTime(run.startedAt ?? run.createdAt, lang())}</td>
                  <td>{t(`source.${run.source}`)}</td>
                  <td>{modeLabel(run)}{run.scheduled ? ` · ${t("run.scheduled")}` : ""}</td>
                  <td>
                    <span class={`badge state-${run.status}`}>{statusLabel(run.status)}</span>
                  </td>
                  <td>
                    {formatNumber(run.done, lang())}
                    {run.total === null ? "" : ` / ${formatNumber(run.total, lang())}`}
                  </td>
                  <td>{formatNumber(rejectedTotal(run.counts), lang())}</td>
                  <td>
                    <button
                      type="button"
                      class="btn btn-secondary btn-small"
                      data-testid="history-open"
                      onClick={() => setOpenRunId(run.id)}
                    >
                      {t("history.open")}
                    </button>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
      <Show when={openRunId()}>
        {(id) => <RunDetail runId={id()} onClose={() => setOpenRunId(null)} />}
      </Show>
    </section>
  );
}
