// An error in plain words and what to do about it, in the chosen language.
import { Show } from "solid-js";
import { ApiError, explainError } from "../api/errors.ts";
import { t } from "../i18n/i18n.ts";

export function ErrorNotice(props: { error: unknown; testId?: string }) {
  const kind = () => explainError(props.error, globalThis.navigator?.onLine ?? true);
  const detail = () => {
    const e = props.error;
    if (e instanceof ApiError && e.issues.length > 0) {
      return e.issues.map((i) => `${i.path}: ${i.message}`).join("; ");
    }
    return e instanceof Error ? e.message : null;
  };
  return (
    <Show when={props.error}>
      <div
        class="notice notice-error"
        role="alert"
        data-testid={props.testId ?? "error-notice"}
        data-error-kind={kind()}
      >
        <strong>{t(`error.${kind()}.title`)}</strong>
        <span>{t(`error.${kind()}.action`)}</span>
        <Show when={detail()}>
          <small class="muted">{detail()}</small>
        </Show>
      </div>
    </Show>
  );
}
