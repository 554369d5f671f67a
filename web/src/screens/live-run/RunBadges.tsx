// A live run's heading badges: the agent's state while the run goes on ("Agente: En ejecución"), the
// run's remote status ("Sincronizando…", "Finalizado"), and how long ago it was updated.
import { Show } from "solid-js";
import type { RunSummary } from "@puente/protocol";
import { formatAgo } from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";
import { agentStateLabel, remoteStatusKey } from "../../components/run-labels.ts";

export function RunBadges(props: { run: RunSummary; isPausing: boolean; now: number }) {
  return (
    <div class="badges">
      <Show when={agentStateLabel(props.run, props.isPausing)}>
        {(label) => (
          <span class={`badge agent-state state-${props.run.status}`} data-testid="run-state">
            {label()}
          </span>
        )}
      </Show>
      <span class={`badge remote-${props.run.status}`} data-testid="run-remote-status">
        {t(remoteStatusKey(props.run))}
      </span>
      <span class="muted small" data-testid="run-updated">
        {t("updatedAgo", { ago: formatAgo(props.run.updatedAt, props.now, lang()) })}
      </span>
    </div>
  );
}
