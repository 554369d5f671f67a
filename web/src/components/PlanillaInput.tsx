// The one-planilla field: accepts `2026-886`, explains a bad code, and sends the padded code.
import { createSignal, Show } from "solid-js";
import { t } from "../i18n/i18n.ts";
import { validatePlanillaInput } from "../planilla-input.ts";

export function PlanillaInput(
  props: { onSubmit: (code: string) => void; disabled?: boolean; large?: boolean },
) {
  const [value, setValue] = createSignal("");
  const [problem, setProblem] = createSignal<"empty" | "format" | null>(null);
  const submit = (e: Event) => {
    e.preventDefault();
    const result = validatePlanillaInput(value());
    if (!result.ok) return setProblem(result.reason);
    setProblem(null);
    props.onSubmit(result.code);
  };
  return (
    <form
      class={`planilla-form ${props.large ? "large" : ""}`}
      onSubmit={submit}
      data-testid="planilla-form"
      novalidate
    >
      <label for="planilla-code">{t("start.one")}</label>
      <div class="row">
        <input
          id="planilla-code"
          data-testid="planilla-input"
          inputmode="text"
          autocomplete="off"
          placeholder={t("start.onePlaceholder")}
          value={value()}
          aria-invalid={problem() !== null}
          aria-describedby="planilla-problem"
          onInput={(e) => {
            setValue(e.currentTarget.value);
            setProblem(null);
          }}
        />
        <button
          type="submit"
          class="btn btn-secondary"
          data-testid="planilla-submit"
          disabled={props.disabled}
        >
          {t("start.oneButton")}
        </button>
      </div>
      <Show when={problem()}>
        {(p) => (
          <p id="planilla-problem" class="field-error" role="alert" data-testid="planilla-error">
            {t(p() === "empty" ? "planilla.empty" : "planilla.format")}
          </p>
        )}
      </Show>
    </form>
  );
}
