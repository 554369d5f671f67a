// The "update the agent" warning for one agent, shown wherever staff and admins see its state; nothing
// while the API accepts the agent's protocol.
import { Show } from "solid-js";
import type { AgentRow } from "../api/rpc-shapes.ts";
import { formatDateTime } from "../format/progress.ts";
import { lang, t } from "../i18n/i18n.ts";
import { protocolWarning } from "./agent-protocol.ts";

export function AgentOutdatedNotice(props: { agent: AgentRow }) {
  return (
    <Show when={protocolWarning(props.agent)}>
      {(w) => (
        <p class="notice notice-warn small" role="status" data-testid="agent-outdated">
          <strong>{t(w().key, { seen: w().seen, needed: w().needed })}</strong>{" "}
          <span class="muted">
            {t("agent.outdatedSince", { when: formatDateTime(w().since, lang()) })}
          </span>
        </p>
      )}
    </Show>
  );
}
