// The old monitor's stat tiles: Planillas en DB, Elementos en DB (and customers for admins), per-year progress.
import { Show } from "solid-js";
import { formatNumber } from "../format/progress.ts";
import { lang, t } from "../i18n/i18n.ts";
import { useApp } from "../app/context.ts";

export function Totals() {
  const app = useApp();
  const n = (v: number | null) => (v === null ? "—" : formatNumber(v, lang()));
  return (
    <dl class="tiles" data-testid="totals">
      <div class="tile">
        <dt>{t("totals.planillas")}</dt>
        <dd data-testid="totals-planillas">{n(app.store.state.totals.planillas)}</dd>
      </div>
      <div class="tile">
        <dt>{t("totals.elementos")}</dt>
        <dd data-testid="totals-elementos">{n(app.store.state.totals.elementos)}</dd>
      </div>
      <Show when={app.role === "admin"}>
        <div class="tile">
          <dt>{t("totals.customers")}</dt>
          <dd data-testid="totals-customers">{n(app.store.state.totals.customers)}</dd>
        </div>
      </Show>
    </dl>
  );
}
