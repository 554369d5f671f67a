// "Orden enviada. Esperando al agente…" for one accepted command, until the run it started is known
// (then the live run shows it). Tied to the command's id, so an older run never clears or keeps it.
import { Show } from "solid-js";
import type { RunSummary } from "@puente/protocol";
import { t } from "../i18n/i18n.ts";
import { useApp } from "../app/context.ts";

/** True while no known run came from this command. */
export function isAwaitingRun(
  commandId: string | null,
  runs: readonly Pick<RunSummary, "commandId">[],
): commandId is string {
  return commandId !== null && !runs.some((r) => r.commandId === commandId);
}

export function CommandSent(props: { commandId: string | null }) {
  const app = useApp();
  const awaiting = () =>
    isAwaitingRun(props.commandId, [...app.store.state.liveRuns, ...app.store.state.history]);
  return (
    <Show when={awaiting()}>
      <p
        class="notice notice-ok"
        role="status"
        data-testid="command-accepted"
        data-command-id={props.commandId ?? ""}
      >
        {t("start.sent")}
      </p>
    </Show>
  );
}
