// The admin's agents screen: who is online, last heartbeat, version, host; keys (created once, revoked);
// and the automatic schedule per agent and source.
import { createSignal, For, Show } from "solid-js";
import { SCHEDULE_INTERVALS } from "@puente/protocol";
import type { CreatedAgent } from "../../api/rpc-shapes.ts";
import { formatAgo, formatDateTime, formatRelative } from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { useApp } from "../../app/context.ts";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";

const SOURCES = ["ferrawin", "wispro"] as const;

export function Agents() {
  const app = useApp();
  const [error, setError] = createSignal<unknown>(null);
  const [name, setName] = createSignal("");
  const [created, setCreated] = createSignal<CreatedAgent | null>(null);
  const [copied, setCopied] = createSignal(false);
  const [revoking, setRevoking] = createSignal<{ id: string; name: string } | null>(null);

  const run = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      await app.store.reconcileNow();
    } catch (e) {
      setError(e);
    }
  };
  const create = (e: Event) => {
    e.preventDefault();
    const agentName = name().trim();
    if (!agentName) return;
    void run(async () => {
      setCopied(false);
      setCreated(await app.api.createAgent(agentName));
      setName("");
    });
  };
  const copyKey = async () => {
    const key = created()?.key;
    if (!key) return;
    try {
      await navigator.clipboard.writeText(key);
      setCopied(true);
    } catch {
      document.querySelector<HTMLInputElement>("[data-testid=agent-key-value]")?.select();
    }
  };
  const schedule = (agentId: string, source: string) =>
    app.store.state.schedules.find((s) => s.agentId === agentId && s.source === source) ?? null;

  return (
    <section class="card" data-testid="agents">
      <h2>{t("nav.agents")}</h2>
      <ErrorNotice error={error()} testId="agents-error" />
      <div class="table-wrap">
        <table data-testid="agents-table">
          <thead>
            <tr>
              <th scope="col">{t("agent.name")}</th>
              <th scope="col">{t("agent.status")}</th>
              <th scope="col">{t("agent.lastSeen")}</th>
              <th scope="col">{t("agent.version")}</th>
              <th scope="col">{t("agent.host")}</th>
              <th scope="col">
                <span class="sr-only">{t("keys.revoke")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            <For
              each={app.store.state.agents}
              fallback={
                <tr>
                  <td colSpan={6}>{t("agent.none")}</td>
                </tr>
              }
            >
              {(agent) => (
                <tr
                  data-testid={`agent-row-${agent.id}`}
                  data-online={agent.isOnline ? "true" : "false"}
                >
                  <td data-testid="agent-name">{agent.name}</td>
                  <td data-testid="agent-online">
                    <span
                      class={`dot ${agent.revoked ? "revoked" : agent.isOnline ? "on" : "off"}`}
                      aria-hidden="true"
                    />
                    {agent.revoked
                      ? t("agent.revoked")
                      : agent.isOnline
                      ? t("agent.online")
                      : t("agent.offline")}
                  </td>
                  <td
                    data-testid="agent-last-seen"
                    title={formatDateTime(agent.lastSeenAt, lang())}
                  >
                    {formatAgo(agent.lastSeenAt, app.now(), lang())}
                  </td>
                  <td data-testid="agent-version">{agent.version ?? "—"}</td>
                  <td data-testid="agent-host">{agent.hostname ?? "—"}</td>
                  <td>
                    <Show when={!agent.revoked}>
                      <button
                        type="button"
                        class="btn btn-danger btn-small"
                        data-testid="agent-revoke"
                        onClick={() => setRevoking({ id: agent.id, name: agent.name })}
                      >
                        {t("keys.revoke")}
                      </button>
                    </Show>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>

      <h3>{t("keys.title")}</h3>
      <form class="row" onSubmit={create} data-testid="agent-create-form">
        <label for="agent-name-input" class="sr-only">{t("agent.name")}</label>
        <input
          id="agent-name-input"
          data-testid="agent-name-input"
          placeholder={t("keys.namePlaceholder")}
          value={name()}
          onInput={(e) => setName(e.currentTarget.value)}
          maxLength={200}
        />
        <button
          type="submit"
          class="btn btn-primary"
          data-testid="agent-create"
          disabled={!name().trim()}
        >
          {t("keys.create")}
        </button>
      </form>
      <Show when={created()}>
        {(c) => (
          <div class="notice notice-key" role="status" data-testid="agent-key-created">
            <p>{t("keys.shownOnce")}</p>
            <div class="row">
              <label for="agent-key-value" class="sr-only">{t("keys.title")}</label>
              <input
                id="agent-key-value"
                class="mono"
                readOnly
                value={c().key}
                data-testid="agent-key-value"
                onFocus={(e) => e.currentTarget.select()}
              />
              <button
                type="button"
                class="btn btn-secondary"
                data-testid="agent-key-copy"
                onClick={copyKey}
              >
                {copied() ? t("keys.copied") : t("keys.copy")}
              </button>
              <button
                type="button"
                class="btn btn-secondary"
                data-testid="agent-key-done"
                onClick={() => setCreated(null)}
              >
                {t("keys.done")}
              </button>
            </div>
          </div>
        )}
      </Show>

      <h3>{t("schedule.title")}</h3>
      <div class="table-wrap">
        <table data-testid="schedules-table">
          <thead>
            <tr>
              <th scope="col">{t("agent.label")}</th>
              <th scope="col">{t("run.source")}</th>
              <th scope="col">{t("schedule.title")}</th>
              <th scope="col">{t("schedule.next")}</th>
            </tr>
          </thead>
          <tbody>
            <For each={app.store.state.agents.filter((a) => !a.revoked)}>
              {(agent) => (
                <For each={SOURCES}>
                  {(source) => {
                    const id = `schedule-${agent.id}-${source}`;
                    return (
                      <tr>
                        <td>{agent.name}</td>
                        <td>{t(`source.${source}`)}</td>
                        <td>
                          <label for={id} class="sr-only">
                            {t("schedule.title")} {agent.name} {t(`source.${source}`)}
                          </label>
                          <select
                            id={id}
                            data-testid={id}
                            value={schedule(agent.id, source)?.intervalMinutes ?? ""}
                            onChange={(e) => {
                              const value = e.currentTarget.value;
                              void run(() =>
                                app.api.setSchedule(
                                  agent.id,
                                  source,
                                  value === "" ? null : Number(value),
                                )
                              );
                            }}
                          >
                            <option value="">{t("schedule.off")}</option>
                            <For each={SCHEDULE_INTERVALS}>
                              {(m) => <option value={m}>{t("schedule.every", { n: m })}</option>}
                            </For>
                          </select>
                        </td>
                        <td
                          data-testid={`${id}-next`}
                          title={formatDateTime(
                            schedule(agent.id, source)?.nextDueAt ?? null,
                            lang(),
                          )}
                        >
                          {schedule(agent.id, source)?.intervalMinutes
                            ? formatRelative(
                              schedule(agent.id, source)?.nextDueAt ?? null,
                              app.now(),
                              lang(),
                            )
                            : "—"}
                        </td>
                      </tr>
                    );
                  }}
                </For>
              )}
            </For>
          </tbody>
        </table>
      </div>

      <Show when={revoking()}>
        {(agent) => (
          <ConfirmDialog
            testId="revoke-confirm"
            title={t("keys.revoke")}
            onClose={() => setRevoking(null)}
            choices={[
              {
                label: t("keys.revoke"),
                kind: "danger",
                testId: "revoke-confirm-yes",
                onChoose: () => {
                  const id = agent().id;
                  setRevoking(null);
                  void run(() => app.api.revokeAgent(id));
                },
              },
              {
                label: t("cancel"),
                testId: "revoke-confirm-cancel",
                onChoose: () => setRevoking(null),
              },
            ]}
          >
            <p>{t("keys.revokeConfirm", { name: agent().name })}</p>
          </ConfirmDialog>
        )}
      </Show>
    </section>
  );
}
