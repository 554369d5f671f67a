// A run's counts per kind of record (planillas, elementos, entidades, customers) as they grow.
import { Show } from "solid-js";
import type { RunSummary } from "@puente/protocol";
import { formatNumber } from "../format/progress.ts";
import { lang, t } from "../i18n/i18n.ts";
import { DataTable } from "./DataTable.tsx";

const ENTITIES = ["planillas", "elementos", "entidades", "customers"] as const;
const COUNT_KINDS = ["created", "updated", "unchanged", "deleted", "rejected"] as const;

export function CountsTable(props: { counts: RunSummary["counts"] }) {
  const rows = () => ENTITIES.filter((e) => props.counts[e] !== undefined);
  return (
    <Show when={rows().length > 0}>
      <DataTable
        testId="run-counts"
        class="counts"
        caption={t("run.counts")}
        rows={rows()}
        rowAttrs={(entity) => ({ "data-testid": `run-counts-${entity}` })}
        columns={[
          { header: t("run.counts"), isRowHeader: true, cell: (entity) => t(`entity.${entity}`) },
          ...COUNT_KINDS.map((k) => ({
            header: t(`count.${k}`),
            cellTestId: (entity: (typeof ENTITIES)[number]) => `run-count-${entity}-${k}`,
            cell: (entity: (typeof ENTITIES)[number]) =>
              formatNumber(props.counts[entity]?.[k] ?? 0, lang()),
          })),
        ]}
      />
    </Show>
  );
}
