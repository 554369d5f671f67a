// A modal question with labelled choices; focus goes to the first choice and Escape closes it.
import { For, type JSX, onMount } from "solid-js";

export interface Choice {
  label: string;
  onChoose: () => void;
  kind?: "primary" | "secondary" | "danger";
  testId: string;
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
