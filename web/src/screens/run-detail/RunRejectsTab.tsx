// The "Rechazados" tab: each rejected record with its reason, detail, payload (admins) and time.
import { Show } from "solid-js";
import type { RunDetail } from "../../api/rpc-shapes.ts";
import { formatDateTime } from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";
import { DataTable } from "../../components/DataTable.tsx";
import { reasonLabel } from "../../components/run-labels.ts";

export function RunRejectsTab(props: { rejects: RunDetail["rejects"] }) {
  return (
    <div role="tabpanel" data-testid="run-detail-rejects">
      <Show when={props.rejects.length > 0} fallback={<p class="muted">{t("detail.noRejects")}</p>}>
        <DataTable
          rows={props.rejects}
          rowAttrs={() => ({ "data-testid": "reject-row" })}
          columns={[
            {
              header: t("detail.record"),
              cell: (r) => <span class="mono">{r.recordKey}</span>,
            },
            {
              header: t("detail.reason"),
              cell: (r) => (
                <>
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
                </>
              ),
            },
            { header: t("detail.at"), cell: (r) => formatDateTime(r.at, lang()) },
          ]}
        />
      </Show>
    </div>
  );
}
