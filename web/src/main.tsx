// Entry: read the runtime config, register the service worker, and mount the app (or say what is missing).
import "./zod-without-eval.ts";
import { render } from "solid-js/web";
import { ConfigUnavailable, loadRuntimeConfig } from "./config.ts";
import { lang, t } from "./i18n/i18n.ts";
import { App } from "./app/App.tsx";
import { LangSwitch } from "./app/Header.tsx";
import { OfflineScreen } from "./screens/offline/OfflineScreen.tsx";
import "./app/styles.css";

const root = document.getElementById("root")!;
document.documentElement.lang = lang();

if ("serviceWorker" in navigator && import.meta.env.PROD) {
  addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch((error) =>
      console.warn("puente: service worker", error)
    );
  });
}

try {
  const config = await loadRuntimeConfig(fetch, import.meta.env);
  render(() => <App config={config} />, root);
} catch (error) {
  if (navigator.onLine === false) {
    // Opened without a network and no cached config: say so, and start for real once it is back.
    addEventListener("online", () => location.reload());
    render(() => <OfflineScreen onRetry={() => location.reload()} />, root);
  } else renderConfigError(error);
}

function renderConfigError(error: unknown) {
  const detail = error instanceof ConfigUnavailable ? error.message : String(error);
  render(() => (
    <main class="center-page" data-testid="config-error" role="alert">
      <div class="card">
        <h2>{t("config.failed")}</h2>
        <p>{t("config.action")}</p>
        <p class="muted small mono">{detail}</p>
        <LangSwitch />
      </div>
    </main>
  ), root);
}
