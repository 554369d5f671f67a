// A live run's buttons: pause (then "Pausando…" until the agent confirms), resume, the detail, cancel.
import { Show } from "solid-js";
import type { RunSummary } from "@puente/protocol";
import { t } from "../../i18n/i18n.ts";
import { isFinalStatus } from "../../realtime/reducers.ts";

export type RunAction = "pause" | "resume" | "cancel";

export function RunControls(props: {
  run: RunSummary;
  busy: boolean;
  isPausing: boolean;
  canCancel: boolean;
  /** Null: no detail button (the phone's compact view). */
  isDetailOpen: boolean | null;
  onAction: (action: RunAction) => void;
  onToggleDetail: () => void;
}) {
  return (
    <div class="actions">
      <Show when={props.run.status === "running" || props.run.status === "queued"}>
        <button
          type="button"
          class="btn btn-secondary"
          data-testid="run-pause"
          disabled={props.busy || props.isPausing}
          onClick={() => props.onAction("pause")}
        >
          {props.isPausing ? t("state.pausing") : t("control.pause")}
        </button>
      </Show>
      <Show when={props.run.status === "paused" || props.run.status === "stalled"}>
        <button
          type="button"
          class="btn btn-primary"
          data-testid="run-resume"
          disabled={props.busy}
          onClick={() => props.onAction("resume")}
        >
          {t("control.resume")}
        </button>
      </Show>
      <Show when={props.isDetailOpen !== null}>
        <button
          type="button"
          class="btn btn-secondary"
          data-testid="run-open-detail"
          aria-expanded={props.isDetailOpen === true}
          onClick={() => props.onToggleDetail()}
        >
          {props.isDetailOpen ? t("close") : t("history.open")}
        </button>
      </Show>
      <Show when={props.canCancel && !isFinalStatus(props.run.status)}>
        <button
          type="button"
          class="btn btn-danger"
          data-testid="run-cancel"
          disabled={props.busy}
          onClick={() => props.onAction("cancel")}
        >
          {t("control.cancel")}
        </button>
      </Show>
    </div>
  );
}
