// The admin's agents screen: who is online, last heartbeat, version, host; keys (created once, revoked);
// and the automatic schedule per agent and source. Each part is its own component; this one holds the
// actions and the error they show.
import { createSignal, Show } from "solid-js";
import { t } from "../../i18n/i18n.ts";
import { useApp } from "../../app/context.ts";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";
import { AgentKeyForm } from "./AgentKeyForm.tsx";
import { AgentsTable } from "./AgentsTable.tsx";
import { RevokeDialog } from "./RevokeDialog.tsx";
import { SchedulesTable } from "./SchedulesTable.tsx";

export function Agents() {
  const app = useApp();
  const [error, setError] = createSignal<unknown>(null);
  const [revoking, setRevoking] = createSignal<{ id: string; name: string } | null>(null);

  /** Runs an action, re-reads the state, and says what failed; resolves with the action's answer. */
  const act = async <T,>(action: () => Promise<T>): Promise<T | null> => {
    setError(null);
    try {
      const result = await action();
      await app.store.reconcileNow();
      return result;
    } catch (e) {
      setError(e);
      return null;
    }
  };

  return (
    <section class="card" data-testid="agents">
      <h2>{t("nav.agents")}</h2>
      <ErrorNotice error={error()} testId="agents-error" />
      <AgentsTable
        agents={app.store.state.agents}
        now={app.now()}
        onRevoke={(agent) => setRevoking({ id: agent.id, name: agent.name })}
      />

      <h3>{t("keys.title")}</h3>
      <AgentKeyForm onCreate={(name) => act(() => app.api.createAgent(name))} />

      <h3>{t("schedule.title")}</h3>
      <SchedulesTable
        agents={app.store.state.agents}
        schedules={app.store.state.schedules}
        now={app.now()}
        onChange={(agentId, source, minutes) =>
          void act(() => app.api.setSchedule(agentId, source, minutes))}
      />

      <Show when={revoking()}>
        {(agent) => (
          <RevokeDialog
            agent={agent()}
            onClose={() => setRevoking(null)}
            onRevoke={(id) => void act(() => app.api.revokeAgent(id))}
          />
        )}
      </Show>
    </section>
  );
}
