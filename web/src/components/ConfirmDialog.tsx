// A modal question with labelled choices; focus goes to the first choice and Escape closes it.
import { For, type JSX, onMount } from "solid-js";
import { t } from "../i18n/i18n.ts";

export interface Choice {
  label: string;
  onChoose: () => void;
  kind?: "primary" | "secondary" | "danger";
  testId: string;
}

/** The usual pair: one choice that acts (then closes), and "Cancelar". */
export function confirmOrCancel(yes: {
  label: string;
  kind: Choice["kind"];
  testId: string;
  onConfirm: () => void;
  onClose: () => void;
}): Choice[] {
  return [
    {
      label: yes.label,
      kind: yes.kind,
      testId: yes.testId,
      onChoose: () => {
        yes.onConfirm();
        yes.onClose();
      },
    },
    {
      label: t("cancel"),
      testId: `${yes.testId.replace(/-yes$/, "")}-cancel`,
      onChoose: yes.onClose,
    },
  ];
}

export function ConfirmDialog(props: {
  title: string;
  children: JSX.Element;
  choices: Choice[];
  onClose: () => void;
  testId: string;
}) {
  let first: HTMLButtonElement | undefined;
  onMount(() => first?.focus());
  return (
    <div class="backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div
        class="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${props.testId}-title`}
        data-testid={props.testId}
        onKeyDown={(e) => e.key === "Escape" && props.onClose()}
      >
        <h2 id={`${props.testId}-title`}>{props.title}</h2>
        <div class="dialog-body">{props.children}</div>
        <div class="dialog-actions">
          <For each={props.choices}>
            {(choice, index) => (
              <button
                ref={(el) => {
                  if (index() === 0) first = el;
                }}
                type="button"
                class={`btn btn-${choice.kind ?? "secondary"}`}
                data-testid={choice.testId}
                onClick={() => choice.onChoose()}
              >
                {choice.label}
              </button>
            )}
          </For>
        </div>
      </div>
    </div>
  );
}
