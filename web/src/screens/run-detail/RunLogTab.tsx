// The "Logs" tab: the last lines of the run's log, colour-coded by level, or the whole log on request.
import { For, Show } from "solid-js";
import type { RunDetail } from "../../api/rpc-shapes.ts";
import { formatDateTime } from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";

export const LAST_LINES = 50;

export function RunLogTab(props: {
  events: RunDetail["events"];
  full: boolean;
  onShowFull: () => void;
}) {
  const shown = () => (props.full ? props.events : props.events.slice(-LAST_LINES));
  return (
    <div role="tabpanel" data-testid="run-detail-logs">
      <Show when={props.events.length > 0} fallback={<p class="muted">{t("detail.noLogs")}</p>}>
        <p class="muted small">
          {props.full
            ? ""
            : t("detail.lastLines", { n: Math.min(LAST_LINES, props.events.length) })}
        </p>
        <ol class="log">
          <For each={shown()}>
            {(e) => (
              <li class={`log-${e.level}`} data-testid="log-line">
                <time>{formatDateTime(e.at, lang())}</time> <span class="log-level">{e.level}</span>
                {" "}
                {e.message}
              </li>
            )}
          </For>
        </ol>
        <Show when={!props.full && props.events.length > LAST_LINES}>
          <button
            type="button"
            class="btn btn-secondary btn-small"
            data-testid="run-detail-full-log"
            onClick={() => props.onShowFull()}
          >
            {t("detail.fullLog")}
          </button>
        </Show>
      </Show>
    </div>
  );
}
