// The admin's "Nueva sincronización" panel: incremental, a year (with the resume question), one planilla,
// everything (confirmed), and Wispro customers.
import { createSignal, For, Show } from "solid-js";
import type { CommandInput } from "../../api/client.ts";
import type { YearRow } from "../../api/rpc-shapes.ts";
import { formatNumber } from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";
import { AgentPicker } from "../../components/AgentPicker.tsx";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { createCommand, useApp } from "../../app/context.ts";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";
import { PlanillaInput } from "../../components/PlanillaInput.tsx";
import { FIRST_YEAR, selectableYears } from "./years.ts";

export function StartSync() {
  const app = useApp();
  const command = createCommand(app.api);
  const years = selectableYears(new Date());
  const [year, setYear] = createSignal(years[0] ?? FIRST_YEAR);
  const [yearStatus, setYearStatus] = createSignal<YearRow | null>(null);
  const [yearError, setYearError] = createSignal<unknown>(null);
  const [confirmAll, setConfirmAll] = createSignal(false);

  const start = (partial: Omit<CommandInput, "agentId">) => {
    const agentId = app.agentId();
    if (!agentId) return;
    void command.send({ ...partial, agentId } as CommandInput);
  };
  const ferrawin = (params: Record<string, unknown>) =>
    start({ source: "ferrawin", action: "start", params } as Omit<CommandInput, "agentId">);

  const askYear = async () => {
    setYearError(null);
    try {
      setYearStatus(await app.api.yearStatus(year()));
    } catch (e) {
      setYearError(e);
    }
  };
  const noAgent = () => !app.agentId() || command.busy();

  return (
    <section class="card start-sync" data-testid="start-sync">
      <h2>{t("start.title")}</h2>
      <AgentPicker showSelect />
      <div class="start-grid">
        <div class="start-item">
          <button
            type="button"
            class="btn btn-primary btn-wide"
            data-testid="start-incremental"
            disabled={noAgent()}
            onClick={() => ferrawin({ mode: "incremental" })}
          >
            {t("start.incremental")}
          </button>
          <p class="muted small">{t("start.incrementalHint")}</p>
        </div>
        <div class="start-item">
          <label for="year-select">{t("start.year")}</label>
          <div class="row">
            <select
              id="year-select"
              data-testid="year-select"
              value={year()}
              onChange={(e) => setYear(Number(e.currentTarget.value))}
            >
              <For each={years}>{(y) => <option value={y}>{y}</option>}</For>
            </select>
            <button
              type="button"
              class="btn btn-secondary"
              data-testid="start-year"
              disabled={noAgent()}
              onClick={askYear}
            >
              {t("start.yearButton", { year: year() })}
            </button>
          </div>
          <ErrorNotice error={yearError()} testId="year-error" />
        </div>
        <div class="start-item">
          <PlanillaInput
            disabled={noAgent()}
            onSubmit={(code) => ferrawin({ mode: "one", code })}
          />
        </div>
        <div class="start-item row">
          <button
            type="button"
            class="btn btn-secondary"
            data-testid="start-all"
            disabled={noAgent()}
            onClick={() => setConfirmAll(true)}
          >
            {t("start.all")}
          </button>
          <button
            type="button"
            class="btn btn-secondary"
            data-testid="start-wispro"
            disabled={noAgent()}
            onClick={() =>
              start(
                { source: "wispro", action: "start", params: { mode: "full" } } as Omit<
                  CommandInput,
                  "agentId"
                >,
              )}
          >
            {t("start.wispro")}
          </button>
        </div>
      </div>
      <Show when={command.accepted()}>
        <p class="notice notice-ok" role="status" data-testid="command-accepted">
          {t("start.sent")}
        </p>
      </Show>
      <ErrorNotice error={command.error()} testId="command-error" />

      <Show when={yearStatus()}>
        {(status) => (
          <ConfirmDialog
            testId="year-confirm"
            title={t("confirm.yearTitle", { year: status().year })}
            onClose={() => setYearStatus(null)}
            choices={[
              ...(status().lastCode
                ? [{
                  label: t("confirm.yearContinue", { lastCode: status().lastCode ?? "" }),
                  kind: "primary" as const,
                  testId: "year-continue",
                  onChoose: () => {
                    ferrawin({ mode: "year", year: status().year, fromCode: status().lastCode });
                    setYearStatus(null);
                  },
                }]
                : []),
              {
                label: t("confirm.yearRestart"),
                kind: status().lastCode ? "secondary" : "primary",
                testId: "year-restart",
                onChoose: () => {
                  ferrawin({ mode: "year", year: status().year });
                  setYearStatus(null);
                },
              },
              { label: t("cancel"), testId: "year-cancel", onChoose: () => setYearStatus(null) },
            ]}
          >
            <p data-testid="year-confirm-body">
              {status().synced > 0 && status().lastCode
                ? t("confirm.yearBody", {
                  synced: formatNumber(status().synced, lang()),
                  year: status().year,
                  lastCode: status().lastCode ?? "",
                })
                : t("confirm.yearBodyEmpty", { year: status().year })}
            </p>
          </ConfirmDialog>
        )}
      </Show>

      <Show when={confirmAll()}>
        <ConfirmDialog
          testId="all-confirm"
          title={t("confirm.allTitle")}
          onClose={() => setConfirmAll(false)}
          choices={[
            {
              label: t("confirm.allYes"),
              kind: "primary",
              testId: "all-confirm-yes",
              onChoose: () => {
                ferrawin({ mode: "all" });
                setConfirmAll(false);
              },
            },
            {
              label: t("cancel"),
              testId: "all-confirm-cancel",
              onChoose: () => setConfirmAll(false),
            },
          ]}
        >
          <p>{t("confirm.allBody")}</p>
        </ConfirmDialog>
      </Show>
    </section>
  );
}
