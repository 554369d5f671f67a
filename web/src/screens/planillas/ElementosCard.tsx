// The planilla's elementos, a page at a time ("Ver más"), with its totals and the totals by diámetro.
import { For, Show } from "solid-js";
import type { ElementoRow } from "../../api/planillas.ts";
import { formatNumber } from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";
import { MoreButton } from "./MoreButton.tsx";
import type { PlanillaData } from "./planilla-data.ts";

const n = (value: number | null, digits = 0) =>
  value === null ? "—" : formatNumber(value, lang(), digits);

export function ElementosCard(props: { data: PlanillaData }) {
  const totals = () => props.data.totals();
  return (
    <section class="card" data-testid="planilla-elementos">
      <h2>{t("planillas.elementos")}</h2>
      <Show when={totals()}>
        {(tot) => (
          <>
            <p data-testid="planilla-totals">
              {t("planillas.totals", {
                elementos: n(tot().elementos),
                barras: n(tot().barras),
                peso: n(tot().peso_kg, 1),
              })}
            </p>
            <Show when={tot().by_diametro.length > 0}>
              <h3 class="small">{t("planillas.byDiametro")}</h3>
              <div class="table-wrap">
                <table data-testid="planilla-by-diametro">
                  <thead>
                    <tr>
                      <th scope="col">{t("col.diametro")}</th>
                      <th scope="col">{t("col.elementos")}</th>
                      <th scope="col">{t("col.barras")}</th>
                      <th scope="col">{t("col.peso")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={tot().by_diametro}>
                      {(d) => (
                        <tr data-testid={`diametro-${d.diametro_mm}`}>
                          <td>Ø{n(d.diametro_mm, 1)}</td>
                          <td>{n(d.elementos)}</td>
                          <td>{n(d.barras)}</td>
                          <td>{n(d.peso_kg, 1)}</td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </div>
            </Show>
          </>
        )}
      </Show>
      <Show
        when={props.data.elementos().length > 0}
        fallback={
          <Show when={!props.data.loading()}>
            <p class="muted">{t("planillas.noElementos")}</p>
          </Show>
        }
      >
        <ElementosTable rows={props.data.elementos()} />
      </Show>
      <MoreButton
        hasMore={props.data.elementosNext() !== null}
        onMore={() => void props.data.moreElementos()}
        testId="planilla-elementos-more"
      />
    </section>
  );
}

export function ElementosTable(props: { rows: ElementoRow[]; testId?: string }) {
  return (
    <div class="table-wrap">
      <table data-testid={props.testId ?? "planilla-elementos-table"}>
        <thead>
          <tr>
            <th scope="col">{t("col.fila")}</th>
            <th scope="col">{t("col.marca")}</th>
            <th scope="col">{t("col.diametro")}</th>
            <th scope="col">{t("col.longitud")}</th>
            <th scope="col">{t("col.barras")}</th>
            <th scope="col">{t("col.peso")}</th>
            <th scope="col">{t("col.etiqueta")}</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.rows}>
            {(e) => (
              <tr data-testid="elemento-row" data-ferrawin-id={e.ferrawin_id}>
                <td>{n(e.fila)}</td>
                <td>{e.marca ?? "—"}</td>
                <td>{n(e.diametro_mm, 1)}</td>
                <td>{n(e.longitud_mm, 1)}</td>
                <td data-testid="elemento-barras">{n(e.barras)}</td>
                <td>{n(e.peso_kg, 3)}</td>
                <td class="mono">{e.etiqueta ?? "—"}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </div>
  );
}
