// Rejects as a person reads them: the reason in words, then FerraWin's detail.
import { For, Show } from "solid-js";
import { lang } from "../../i18n/i18n.ts";
import { reasonLabel } from "./journal-lines.ts";

export function RejectList(
  props: { rejects: { reason: string; detail: string | null }[]; testId: string },
) {
  return (
    <ul class="plain" data-testid={props.testId}>
      <For each={props.rejects}>
        {(r) => (
          <li>
            <strong>{reasonLabel(r.reason, lang())}</strong>
            <Show when={r.detail}>
              <span class="muted small">{` ${r.detail}`}</span>
            </Show>
          </li>
        )}
      </For>
    </ul>
  );
}
