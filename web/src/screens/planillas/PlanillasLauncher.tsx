// The staff phone's way in: a button right under the big "Sincronizar" that opens the Planillas screen
// over the phone screen, search field focused; "Volver" (or Escape) closes it. Nothing navigates, so a live run keeps
// its place underneath.
import { createSignal, Show } from "solid-js";
import { t } from "../../i18n/i18n.ts";
import { PlanillasScreen } from "./PlanillasScreen.tsx";

export function PlanillasLauncher() {
  const [isOpen, setOpen] = createSignal(false);
  return (
    <>
      <button
        type="button"
        class="btn btn-secondary btn-wide"
        data-testid="open-planillas"
        onClick={() => setOpen(true)}
      >
        {t("planillas.open")}
      </button>
      <Show when={isOpen()}>
        <div
          class="planillas-sheet"
          role="dialog"
          aria-label={t("planillas.title")}
          onKeyDown={(e) => e.key === "Escape" && setOpen(false)}
        >
          <div class="row planillas-sheet-head">
            <button
              type="button"
              class="btn btn-ghost"
              data-testid="close-planillas"
              onClick={() => setOpen(false)}
            >
              ← {t("planillas.back")}
            </button>
            <h2>{t("planillas.title")}</h2>
          </div>
          <PlanillasScreen autofocus />
        </div>
      </Show>
    </>
  );
}
