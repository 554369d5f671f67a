// "Ver más": the next page of a paginated list, shown while there is one.
import { Show } from "solid-js";
import { t } from "../../i18n/i18n.ts";

export function MoreButton(props: { hasMore: boolean; onMore: () => void; testId: string }) {
  return (
    <Show when={props.hasMore}>
      <button
        type="button"
        class="btn btn-secondary"
        data-testid={props.testId}
        onClick={() => props.onMore()}
      >
        {t("planillas.more")}
      </button>
    </Show>
  );
}
