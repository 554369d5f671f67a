// The header's actions. On a wide screen they stand in a row; on a phone (styles.css) they fold behind one
// "Menú" button: aria-expanded says whether the list is open, opening moves focus to its first action,
// Escape closes it and gives focus back to the button, and choosing an action or clicking elsewhere
// closes it too.
import { createSignal, type JSX, onCleanup, onMount } from "solid-js";
import { t } from "../i18n/i18n.ts";

export const HEADER_MENU_ID = "header-menu";

export function HeaderMenu(props: { children: JSX.Element }) {
  const [open, setOpen] = createSignal(false);
  let root: HTMLDivElement | undefined;
  let toggle: HTMLButtonElement | undefined;
  let list: HTMLDivElement | undefined;

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) toggle?.focus();
  };
  const flip = () => {
    const next = !open();
    setOpen(next);
    if (next) list?.getElementsByTagName("button")[0]?.focus();
  };
  const onOutside = (e: Event) => {
    if (open() && root && !root.contains(e.target as Node)) close(false);
  };
  onMount(() => document.addEventListener("click", onOutside));
  onCleanup(() => globalThis.document?.removeEventListener("click", onOutside));

  return (
    <div
      class="header-menu"
      data-open={open() ? "true" : "false"}
      ref={root}
      onKeyDown={(e) => {
        if (e.key === "Escape" && open()) {
          e.stopPropagation();
          close(true);
        }
      }}
    >
      <button
        ref={toggle}
        type="button"
        class="btn btn-ghost btn-small header-menu-toggle"
        data-testid="header-menu-toggle"
        aria-expanded={open() ? "true" : "false"}
        aria-controls={HEADER_MENU_ID}
        onClick={flip}
      >
        <span aria-hidden="true">☰</span> {t("menu.open")}
      </button>
      <div
        ref={list}
        id={HEADER_MENU_ID}
        class="header-menu-list"
        role="group"
        aria-label={t("menu.label")}
        data-testid="header-menu"
        onClick={(e) => {
          if (open() && (e.target as Element).closest?.("button")) close(true);
        }}
      >
        {props.children}
      </div>
    </div>
  );
}
