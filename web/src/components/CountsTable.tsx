// A run's counts per kind of record (planillas, elementos, entidades, customers) as they grow.
import { For, Show } from "solid-js";
import type { RunSummary } from "@puente/protocol";
import { formatNumber } from "../format/progress.ts";
import { lang, t } from "../i18n/i18n.ts";

const ENTITIES = ["planillas", "elementos", "entidades", "customers"] as const;
const COUNT_KINDS = ["created", "updated", "unchanged", "deleted", "rejected"] as const;

export function CountsTable(props: { counts: RunSummary["counts"] }) {
  const n = (v: number | undefined) => formatNumber(v ?? 0, lang());
  const rows = () => ENTITIES.filter((e) => props.counts[e] !== undefined);
  return (
    <Show when={rows().length > 0}>
      <div class="table-wrap">
        <table class="counts" data-testid="run-counts">
          <caption class="sr-only">{t("run.counts")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("run.counts")}</th>
              <For each={COUNT_KINDS}>{(k) => <th scope="col">{t(`count.${k}`)}</th>}</For>
            </tr>
          </thead>
          <tbody>
            <For each={rows()}>
              {(entity) => (
                <tr data-testid={`run-counts-${entity}`}>
                  <th scope="row">{t(`entity.${entity}`)}</th>
                  <For each={COUNT_KINDS}>
                    {(k) => (
                      <td data-testid={`run-count-${entity}-${k}`}>
                        {n(props.counts[entity]?.[k])}
                      </td>
                    )}
                  </For>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}
