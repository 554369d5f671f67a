// The "Errores" tab: the last errors of the log, newest first, classified, with "Cerca de: planilla …".
import { For, Show } from "solid-js";
import type { RunDetail } from "../../api/rpc-shapes.ts";
import { classifyLogError, planillaNear } from "../../api/errors.ts";
import { formatDateTime } from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";

export const MAX_ERRORS = 20;

/** The log's error lines, the newest first, at most MAX_ERRORS. */
export function errorLines(events: RunDetail["events"]): RunDetail["events"] {
  return events.filter((e) => e.level === "error").slice(-MAX_ERRORS).reverse();
}

export function RunErrorsTab(props: { events: RunDetail["events"]; onShowFullLog: () => void }) {
  const errors = () => errorLines(props.events);
  return (
    <div role="tabpanel" data-testid="run-detail-errors">
      <Show when={errors().length > 0} fallback={<p class="muted">{t("detail.noErrors")}</p>}>
        <ul class="errors">
          <For each={errors()}>
            {(e) => (
              <li data-testid="error-line">
                <span class={`badge class-${classifyLogError(e.message)}`}>
                  {t(`detail.class.${classifyLogError(e.message)}`)}
                </span>{" "}
                <time>{formatDateTime(e.at, lang())}</time>
                <Show when={planillaNear(e.message)}>
                  {(code) => (
                    <>
                      · <span>{t("detail.near", { code: code() })}</span>
                    </>
                  )}
                </Show>
                <div class="small">{e.message}</div>
              </li>
            )}
          </For>
        </ul>
        <button
          type="button"
          class="btn btn-secondary btn-small"
          onClick={() => props.onShowFullLog()}
        >
          {t("detail.fullLog")}
        </button>
      </Show>
    </div>
  );
}
