// Run history with source and status filters; a row opens the run's detail.
import { createSignal, Show } from "solid-js";
import { t } from "../../i18n/i18n.ts";
import { useApp } from "../../app/context.ts";
import { RunDetail } from "../run-detail/RunDetail.tsx";
import { HistoryFilters } from "./HistoryFilters.tsx";
import { HistoryTable } from "./HistoryTable.tsx";

export function History(props: { showSourceFilter: boolean }) {
  const app = useApp();
  const [filters, setFilters] = createSignal({ source: "", status: "" });
  const [openRunId, setOpenRunId] = createSignal<string | null>(null);
  // Live events add runs of any kind; the filters apply to what is shown too.
  const rows = () => {
    const { source, status } = filters();
    return app.store.state.history.filter((r) =>
      (!source || r.source === source) && (!status || r.status === status)
    );
  };

  return (
    <section class="card" data-testid="history">
      <h2>{t("history.title")}</h2>
      <HistoryFilters
        showSourceFilter={props.showSourceFilter}
        source={filters().source}
        status={filters().status}
        onChange={(next) => {
          setFilters(next);
          void app.store.setHistoryFilters({
            source: next.source || null,
            status: next.status || null,
          });
        }}
      />
      <HistoryTable runs={rows()} now={app.now()} onOpen={setOpenRunId} />
      <Show when={openRunId()}>
        {(id) => <RunDetail runId={id()} onClose={() => setOpenRunId(null)} />}
      </Show>
    </section>
  );
}
