// One run in full: summary, counts, and the old monitor's tabs (Logs: last 50 lines colour-coded; Errores: up
// to 20, classified, with "Cerca de: planilla …"), plus rejects with reason and record.
import { createResource, createSignal, For, onCleanup, Show } from "solid-js";
import { t } from "../../i18n/i18n.ts";
import { useApp } from "../../app/context.ts";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";
import { errorLines, RunErrorsTab } from "./RunErrorsTab.tsx";
import { RunLogTab } from "./RunLogTab.tsx";
import { RunRejectsTab } from "./RunRejectsTab.tsx";
import { RunSummaryStats } from "./RunSummaryStats.tsx";

const REFRESH_MS = 5000;
const TABS = ["logs", "errors", "rejects"] as const;

/** `embedded`: inside the live run view, which already shows the summary and counts. */
export function RunDetail(props: { runId: string; onClose: () => void; embedded?: boolean }) {
  const app = useApp();
  const [detail, { refetch }] = createResource(() => props.runId, (id) => app.api.runDetail(id));
  const [tab, setTab] = createSignal<(typeof TABS)[number]>("logs");
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
              <RunSummaryStats run={d().run} />
            </Show>
            <div class="tabs" role="tablist">
              <For each={TABS}>
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
                      ? ` (${errorLines(events()).length})`
                      : name === "rejects"
                      ? ` (${d().rejects.length})`
                      : ""}
                  </button>
                )}
              </For>
            </div>
            <Show when={tab() === "logs"}>
              <RunLogTab
                events={events()}
                full={fullLog()}
                onShowFull={() =>
                  setFullLog(true)}
              />
            </Show>
            <Show when={tab() === "errors"}>
              <RunErrorsTab
                events={events()}
                onShowFullLog={() => {
                  setTab("logs");
                  setFullLog(true);
                }}
              />
            </Show>
            <Show when={tab() === "rejects"}>
              <RunRejectsTab rejects={d().rejects} />
            </Show>
          </>
        )}
      </Show>
    </section>
  );
}
