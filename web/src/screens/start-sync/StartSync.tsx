// The admin's "Nueva sincronización" panel: incremental, a year (with the resume question), one planilla,
// everything (confirmed), and Wispro customers.
import { createSignal, Show } from "solid-js";
import type { CommandInput } from "../../api/client.ts";
import type { YearRow } from "../../api/rpc-shapes.ts";
import { t } from "../../i18n/i18n.ts";
import { AgentPicker } from "../../components/AgentPicker.tsx";
import { createCommand, useApp } from "../../app/context.ts";
import { CommandSent } from "../../components/CommandSent.tsx";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";
import { PlanillaInput } from "../../components/PlanillaInput.tsx";
import { AllConfirmDialog } from "./AllConfirmDialog.tsx";
import { YearConfirmDialog } from "./YearConfirmDialog.tsx";
import { YearPicker } from "./YearPicker.tsx";
import { FIRST_YEAR, selectableYears } from "./years.ts";

type Start = Omit<CommandInput, "agentId">;
type FerrawinParams = Extract<CommandInput, { source: "ferrawin"; action: "start" }>["params"];

export function StartSync() {
  const app = useApp();
  const command = createCommand(app.api);
  const years = selectableYears(new Date());
  const [year, setYear] = createSignal(years[0] ?? FIRST_YEAR);
  const [yearStatus, setYearStatus] = createSignal<YearRow | null>(null);
  const [yearError, setYearError] = createSignal<unknown>(null);
  const [confirmAll, setConfirmAll] = createSignal(false);

  const start = (partial: Start) => {
    const agentId = app.agentId();
    if (agentId) void command.send({ ...partial, agentId } as CommandInput);
  };
  const ferrawin = (params: FerrawinParams) =>
    start({ source: "ferrawin", action: "start", params } as Start);

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
          <YearPicker
            years={years}
            year={year()}
            disabled={noAgent()}
            onYear={setYear}
            onAsk={() => void askYear()}
          />
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
            onClick={() => start({ source: "wispro", action: "start", params: { mode: "full" } })}
          >
            {t("start.wispro")}
          </button>
        </div>
      </div>
      <CommandSent commandId={command.acceptedId()} />
      <ErrorNotice error={command.error()} testId="command-error" />

      <Show when={yearStatus()}>
        {(status) => (
          <YearConfirmDialog
            status={status()}
            onClose={() => setYearStatus(null)}
            onStart={(fromCode) =>
              ferrawin(
                fromCode
                  ? { mode: "year", year: status().year, fromCode }
                  : { mode: "year", year: status().year },
              )}
          />
        )}
      </Show>
      <Show when={confirmAll()}>
        <AllConfirmDialog
          onConfirm={() => ferrawin({ mode: "all" })}
          onClose={() => setConfirmAll(false)}
        />
      </Show>
    </section>
  );
}
