// One run in full: summary, counts, and the old monitor's tabs (Logs: last 50 lines colour-coded; Errores: up
// to 20, classified, with "Cerca de: planilla …"), plus rejects with reason and record.
import { createResource, createSignal, For, onCleanup, Show } from "solid-js";
import { classifyLogError, planillaNear } from "../../api/errors.ts";
import type { MessageKey } from "../../i18n/dictionary.ts";
import { es } from "../../i18n/dictionary.ts";
import { formatDateTime, formatNumber } from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";
import { useApp } from "../../app/context.ts";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";
import { CountsTable } from "../../components/CountsTable.tsx";
import { modeLabel, statusLabel } from "../../components/run-labels.ts";

const LAST_LINES = 50;
const MAX_ERRORS = 20;
const REFRESH_MS = 5000;

/** `embedded`: inside the live run view, which already shows the summary and counts. */
export function RunDetail(props: { runId: string; onClose: () => void; embedded?: boolean }) {
  const app = useApp();
  const [detail, { refetch }] = createResource(() => props.runId, (id) => app.api.runDetail(id));
  const [tab, setTab] = createSignal<"logs" | "errors" | "rejects">("logs");
  const [fullLog, setFullLog] = createSignal(false);
  // Follow the live run: refetch when its events arrive, at most every few seconds.
  let lastFetch = Date.now();
  const off = app.store.onEvent((runId) => {
    if ((runId === props.runId || runId === null) && Date.now() - lastFetch > REFRESH_MS) {
      lastFetch = Date.now();
      void refetch();
    }
  });
  onCleanup(off);

  const events = () => detail()?.events ?? [];
  const shownEvents = () => (fullLog() ? events() : events().slice(-LAST_LINES));
  const errors = () => events().filter((e) => e.level === "error").slice(-MAX_ERRORS).reverse();
  const reasonLabel = (reason: string) => {
    const key = `reason.${reason}`;
    return key in es ? t(key as MessageKey) : reason;
  };

  return (
    <section class="card run-detail" data-testid="run-detail" aria-labelledby="run-detail-title">
      <header class="live-head">
        <h2 id="run-detail-title">{t("detail.title")}</h2>
        <div class="row">
          <button
            type="button"
            class="btn btn-secondary btn-small"
            data-testid="run-detail-refresh"
            onClick={() =>
              void refetch()}
          >
            {t("refresh")}
          </button>
          <Show when={!props.embedded}>
            <button
              type="button"
              class="btn btn-secondary btn-small"
              data-testid="run-detail-close"
              onClick={() =>
                props.onClose()}
            >
              {t("close")}
            </button>
          </Show>
        </div>
      </header>
      <Show when={detail.error}>
        <ErrorNotice error={detail.error} testId="run-detail-error" />
      </Show>
      <Show when={detail()} fallback={<p class="muted">{t("loading")}</p>}>
        {(d) => (
          <>
            <Show when={!props.embedded}>
              <dl class="stats">
                <div>
                  <dt>{t("run.source")}</dt>
                  <dd>{t(`source.${d().run.source}`)}</dd>
                </div>
                <div>
                  <dt>{t("run.mode")}</dt>
                  <dd>{modeLabel(d().run)}</dd>
                </div>
                <div>
                  <dt>{t("run.status")}</dt>
                  <dd data-testid="run-detail-status">{statusLabel(d().run.status)}</dd>
                </div>
                <div>
                  <dt>{t("run.progress")}</dt>
                  <dd>
                    {d().run.total === null
                      ? t("run.doneNoTotal", { done: formatNumber(d().run.done, lang()) })
                      : t("run.doneOfTotal", {
                        done: formatNumber(d().run.done, lang()),
                        total: formatNumber(d().run.total ?? 0, lang()),
                      })}
                  </dd>
                </div>
                <div>
                  <dt>{t("run.started")}</dt>
                  <dd>{formatDateTime(d().run.startedAt ?? d().run.createdAt, lang())}</dd>
                </div>
                <div>
                  <dt>{t("run.finished")}</dt>
                  <dd>{formatDateTime(d().run.finishedAt, lang())}</dd>
                </div>
              </dl>
              <Show when={d().run.error}>
                {(e) => <ErrorNotice error={e()} testId="run-detail-run-error" />}
              </Show>
              <CountsTable counts={d().run.counts} />
            </Show>
            <div class="tabs" role="tablist">
              <For each={["logs", "errors", "rejects"] as const}>
                {(name) => (
                  <button
                    type="button"
                    role="tab"
                    class="tab"
                    aria-selected={tab() === name}
                    data-testid={`run-detail-tab-${name}`}
                    onClick={() => setTab(name)}
                  >
                    {t(`detail.${name}`)}
                    {name === "errors"
                      ? ` (${errors().length})`
                      : name === "rejects"
                      ? ` (${d().rejects.length})`
                      : ""}
                  </button>
                )}
              </For>
            </div>

            <Show when={tab() === "logs"}>
              <div role="tabpanel" data-testid="run-detail-logs">
                <Show
                  when={events().length > 0}
                  fallback={<p class="muted">{t("detail.noLogs")}</p>}
                >
                  <p class="muted small">
                    {fullLog()
                      ? ""
                      : t("detail.lastLines", { n: Math.min(LAST_LINES, events().length) })}
                  </p>
                  <ol class="log">
                    <For each={shownEvents()}>
                      {(e) => (
                        <li class={`log-${e.level}`} data-testid="log-line">
                          <time>{formatDateTime(e.at, lang())}</time>{" "}
                          <span class="log-level">{e.level}</span> {e.message}
                        </li>
                      )}
                    </For>
                  </ol>
                  <Show when={!fullLog() && events().length > LAST_LINES}>
                    <button
                      type="button"
                      class="btn btn-secondary btn-small"
                      data-testid="run-detail-full-log"
                      onClick={() =>
                        setFullLog(true)}
                    >
                      {t("detail.fullLog")}
                    </button>
                  </Show>
                </Show>
              </div>
            </Show>

            <Show when={tab() === "errors"}>
              <div role="tabpanel" data-testid="run-detail-errors">
                <Show
                  when={errors().length > 0}
                  fallback={<p class="muted">{t("detail.noErrors")}</p>}
                >
                  <ul class="errors">
                    <For each={errors()}>
                      {(e) => (
                        <li data-testid="error-line">
                          <span class={`badge class-${classifyLogError(e.message)}`}>
                            {t(`detail.class.${classifyLogError(e.message)}`)}
                          </span>{" "}
                          <time>{formatDateTime(e.at, lang())}</time>
                          <Show when={planillaNear(e.message)}>
                            {(code) => (
                              <>
                                · <span>{t("detail.near", { code: code() })}</span>
                              </>
                            )}
                          </Show>
                          <div class="small">{e.message}</div>
                        </li>
                      )}
                    </For>
                  </ul>
                  <button
                    type="button"
                    class="btn btn-secondary btn-small"
                    onClick={() => {
                      setTab("logs");
                      setFullLog(true);
                    }}
                  >
                    {t("detail.fullLog")}
                  </button>
                </Show>
              </div>
            </Show>

            <Show when={tab() === "rejects"}>
              <div role="tabpanel" data-testid="run-detail-rejects">
                <Show
                  when={d().rejects.length > 0}
                  fallback={<p class="muted">{t("detail.noRejects")}</p>}
                >
                  <div class="table-wrap">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">{t("detail.record")}</th>
                          <th scope="col">{t("detail.reason")}</th>
                          <th scope="col">{t("detail.at")}</th>
                        </tr>
                      </thead>
                      <tbody>
                        <For each={d().rejects}>
                          {(r) => (
                            <tr data-testid="reject-row">
                              <td class="mono">{r.recordKey}</td>
                              <td>
                                {reasonLabel(r.reason)}
                                <Show when={r.detail}>
                                  <div class="small muted">{r.detail}</div>
                                </Show>
                                <Show when={r.payload !== undefined && r.payload !== null}>
                                  <details>
                                    <summary class="small">JSON</summary>
                                    <pre class="mono small">{JSON.stringify(r.payload, null, 2)}</pre>
                                  </details>
                                </Show>
                              </td>
                              <td>{formatDateTime(r.at, lang())}</td>
                            </tr>
                          )}
                        </For>
                      </tbody>
                    </table>
                  </div>
                </Show>
              </div>
            </Show>
          </>
        )}
      </Show>
    </section>
  );
}
