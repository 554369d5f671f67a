// The top bar: app name, target badge (PRODUCCIÓN/LOCAL), live-connection badge, refresh, language, sign out.
import { Show } from "solid-js";
import { formatAgo } from "../format/progress.ts";
import { lang, setLang, t } from "../i18n/i18n.ts";
import type { MessageKey } from "../i18n/dictionary.ts";
import type { AppContextValue } from "./context.ts";
import { HeaderMenu } from "./HeaderMenu.tsx";

export function LangSwitch() {
  return (
    <button
      type="button"
      class="btn btn-ghost btn-small"
      data-testid="lang-switch"
      aria-label={t("lang.switchLabel")}
      onClick={() => setLang(lang() === "es" ? "en" : "es")}
    >
      {t("lang.switch")}
    </button>
  );
}

export function Header(
  props: { app?: AppContextValue; isLocalTarget: boolean; onLogout?: () => void },
) {
  const connection = () => props.app?.store.state.connection ?? "initialized";
  return (
    <header class="topbar">
      <div class="brand">
        <span class="logo" aria-hidden="true">P</span>
        <div>
          <h1>{t("app.title")}</h1>
          <p class="muted small">{t("app.subtitle")}</p>
        </div>
        <span
          class={`badge target ${props.isLocalTarget ? "target-local" : "target-prod"}`}
          data-testid="target-badge"
        >
          {props.isLocalTarget ? t("target.local") : t("target.production")}
        </span>
      </div>
      <div class="topbar-actions">
        <Show when={props.app}>
          {(app) => (
            <span
              class={`badge conn conn-${connection()}`}
              data-testid="connection-badge"
              data-state={connection()}
              title={t("updatedAgo", {
                ago: formatAgo(app().store.state.reconciledAt, app().now(), lang()),
              })}
            >
              {t(`conn.${connection()}` as MessageKey)}
            </span>
          )}
        </Show>
        <HeaderMenu>
          <Show when={props.app}>
            {(app) => (
              <button
                type="button"
                class="btn btn-ghost btn-small"
                data-testid="refresh"
                onClick={() => void app().store.reconcileNow()}
              >
                {t("refresh")}
              </button>
            )}
          </Show>
          <LangSwitch />
          <Show when={props.onLogout}>
            <button
              type="button"
              class="btn btn-ghost btn-small"
              data-testid="logout"
              onClick={() => props.onLogout?.()}
            >
              {t("logout")}
            </button>
          </Show>
        </HeaderMenu>
      </div>
    </header>
  );
}
