// The field-staff phone screen: one big "Sincronizar" (new and modified), the planilla lookup, one planilla,
// the live run, pause.
// No Wispro, no customers, no agent keys, no admin controls.
import { t } from "../i18n/i18n.ts";
import { AgentPicker } from "../components/AgentPicker.tsx";
import { CommandSent } from "../components/CommandSent.tsx";
import { createFerrawinStart, useApp } from "./context.ts";
import { ErrorNotice } from "../components/ErrorNotice.tsx";
import { LiveRun } from "../screens/live-run/LiveRun.tsx";
import { PlanillaInput } from "../components/PlanillaInput.tsx";
import { Totals } from "../components/Totals.tsx";
import { PlanillasLauncher } from "../screens/planillas/PlanillasLauncher.tsx";

export function StaffLayout() {
  const app = useApp();
  const { command, run, isBusy } = createFerrawinStart(app);
  const start = (params: { mode: "incremental" } | { mode: "one"; code: string }) => {
    const agentId = app.agentId();
    if (agentId) void command.send({ agentId, source: "ferrawin", action: "start", params });
  };
  return (
    <main class="staff" data-testid="staff-layout">
      <AgentPicker showSelect={false} />
      <button
        type="button"
        class="btn btn-primary btn-huge"
        data-testid="staff-sync"
        disabled={!app.agentId() || isBusy()}
        onClick={() => start({ mode: "incremental" })}
      >
        {t("start.bigButton")}
        <span class="small">{t("start.incremental")}</span>
      </button>
      <PlanillasLauncher />
      <CommandSent commandId={command.acceptedId()} />
      <ErrorNotice error={command.error()} testId="command-error" />
      <div class="card">
        <PlanillaInput
          large
          disabled={!app.agentId() || isBusy()}
          onSubmit={(code) => start({ mode: "one", code })}
        />
      </div>
      <LiveRun run={run()} canCancel={false} compact />
      <Totals />
    </main>
  );
}
