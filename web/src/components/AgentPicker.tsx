// Which agent commands go to, with its online state; shows a warning when it is offline.
import { createEffect, For, Show } from "solid-js";
import { t } from "../i18n/i18n.ts";
import { useApp } from "../app/context.ts";
import { AgentOutdatedNotice } from "./AgentOutdatedNotice.tsx";

export function AgentPicker(props: { showSelect: boolean }) {
  const app = useApp();
  const usable = () => app.store.state.agents.filter((a) => !a.revoked);
  // Default to an online agent, else any usable one, as soon as the overview arrives.
  createEffect(() => {
    const agents = usable();
    const chosen = app.agentId();
    if (chosen && agents.some((a) => a.id === chosen)) return;
    const pick = agents.find((a) => a.isOnline) ?? agents[0];
    if (pick) app.setAgentId(pick.id);
  });
  const selected = () => usable().find((a) => a.id === app.agentId()) ?? null;
  return (
    <div class="agent-picker">
      <Show
        when={usable().length > 0}
        fallback={<p class="notice" data-testid="agent-none">{t("agent.none")}</p>}
      >
        <Show when={props.showSelect && usable().length > 1}>
          <label for="agent-select">{t("agent.label")}</label>
          <select
            id="agent-select"
            data-testid="agent-select"
            value={app.agentId() ?? ""}
            onChange={(e) => app.setAgentId(e.currentTarget.value)}
          >
            <For each={usable()}>
              {(a) => (
                <option value={a.id}>
                  {a.name} ({a.isOnline ? t("agent.online") : t("agent.offline")})
                </option>
              )}
            </For>
          </select>
        </Show>
        <Show when={selected()}>
          {(a) => (
            <p class="agent-line small">
              <span class={`dot ${a().isOnline ? "on" : "off"}`} aria-hidden="true" />
              <span data-testid="agent-current">{a().name}</span> ·{" "}
              <span data-testid="agent-current-online">
                {a().isOnline ? t("agent.online") : t("agent.offline")}
              </span>
            </p>
          )}
        </Show>
        <Show when={selected()}>{(a) => <AgentOutdatedNotice agent={a()} />}</Show>
        <Show when={selected() && !selected()!.isOnline}>
          <p class="notice notice-warn small" data-testid="agent-offline-warning">
            {t("agent.offlineWarning")}
          </p>
        </Show>
      </Show>
    </div>
  );
}
