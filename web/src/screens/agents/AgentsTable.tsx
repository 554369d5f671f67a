// The agents table: name, online/offline/revoked, last heartbeat, version, host, and a revoke button.
import { Show } from "solid-js";
import type { AgentView } from "../../realtime/reducers.ts";
import { formatAgo, formatDateTime } from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";
import { DataTable } from "../../components/DataTable.tsx";
import { AgentOutdatedNotice } from "../../components/AgentOutdatedNotice.tsx";

export function agentStateKey(agent: AgentView) {
  return agent.revoked ? "agent.revoked" : agent.isOnline ? "agent.online" : "agent.offline";
}

export function AgentsTable(props: {
  agents: readonly AgentView[];
  now: number;
  onRevoke: (agent: AgentView) => void;
}) {
  return (
    <DataTable
      testId="agents-table"
      rows={props.agents}
      empty={t("agent.none")}
      rowAttrs={(agent) => ({
        "data-testid": `agent-row-${agent.id}`,
        "data-online": agent.isOnline ? "true" : "false",
      })}
      columns={[
        { header: t("agent.name"), cellTestId: "agent-name", cell: (agent) => agent.name },
        {
          header: t("agent.status"),
          cellTestId: "agent-online",
          cell: (agent) => (
            <>
              <span
                class={`dot ${agent.revoked ? "revoked" : agent.isOnline ? "on" : "off"}`}
                aria-hidden="true"
              />
              {t(agentStateKey(agent))}
              <AgentOutdatedNotice agent={agent} />
            </>
          ),
        },
        {
          header: t("agent.lastSeen"),
          cellTestId: "agent-last-seen",
          cell: (agent) => (
            <span title={formatDateTime(agent.lastSeenAt, lang())}>
              {formatAgo(agent.lastSeenAt, props.now, lang())}
            </span>
          ),
        },
        {
          header: t("agent.version"),
          cellTestId: "agent-version",
          cell: (agent) => agent.version ?? "—",
        },
        {
          header: t("agent.host"),
          cellTestId: "agent-host",
          cell: (agent) => agent.hostname ?? "—",
        },
        {
          header: t("keys.revoke"),
          hiddenHeader: true,
          cell: (agent) => (
            <Show when={!agent.revoked}>
              <button
                type="button"
                class="btn btn-danger btn-small"
                data-testid="agent-revoke"
                onClick={() => props.onRevoke(agent)}
              >
                {t("keys.revoke")}
              </button>
            </Show>
          ),
        },
      ]}
    />
  );
}
