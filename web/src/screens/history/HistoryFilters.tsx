// The history's filters: source (admins) and status.
import { For, Show } from "solid-js";
import { RunStatus } from "@puente/protocol";
import { t } from "../../i18n/i18n.ts";
import { statusLabel } from "../../components/run-labels.ts";

export function HistoryFilters(props: {
  showSourceFilter: boolean;
  source: string;
  status: string;
  onChange: (filters: { source: string; status: string }) => void;
}) {
  return (
    <div class="row filters">
      <Show when={props.showSourceFilter}>
        <label>
          {t("history.filterSource")}
          <select
            data-testid="history-filter-source"
            value={props.source}
            onChange={(e) =>
              props.onChange({ source: e.currentTarget.value, status: props.status })}
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
          value={props.status}
          onChange={(e) => props.onChange({ source: props.source, status: e.currentTarget.value })}
        >
          <option value="">{t("history.all")}</option>
          <For each={RunStatus.options}>{(s) => <option value={s}>{statusLabel(s)}</option>}</For>
        </select>
      </label>
    </div>
  );
}
