// Shown while the device is offline; it retries on its own when the connection returns.
import { createSignal, onCleanup } from "solid-js";
import { t } from "../../i18n/i18n.ts";
import { LangSwitch } from "../../app/Header.tsx";

const RETRY_MS = 5000;

/** `isOnline` as a signal: navigator.onLine, its events, and a periodic probe that proves the network works. */
export function createOnlineSignal() {
  const [isOnline, setOnline] = createSignal(globalThis.navigator?.onLine ?? true);
  const probe = async () => {
    try {
      const response = await fetch(`/config.json?probe=${Date.now()}`, { cache: "no-store" });
      setOnline(response.ok || response.status === 404);
    } catch {
      setOnline(false);
    }
  };
  const onOnline = () => void probe();
  const onOffline = () => setOnline(false);
  addEventListener("online", onOnline);
  addEventListener("offline", onOffline);
  const timer = setInterval(() => {
    if (!isOnline()) void probe();
  }, RETRY_MS);
  onCleanup(() => {
    removeEventListener("online", onOnline);
    removeEventListener("offline", onOffline);
    clearInterval(timer);
  });
  return { isOnline, probe };
}

export function OfflineScreen(props: { onRetry: () => void }) {
  return (
    <main class="offline" data-testid="offline-screen" role="alert">
      <div class="card">
        <svg viewBox="0 0 24 24" width="48" height="48" aria-hidden="true">
          <path
            d="M2 8.5a15 15 0 0 1 20 0M5 12a10 10 0 0 1 14 0M8.5 15.5a5 5 0 0 1 7 0M12 19h.01M3 3l18 18"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
          />
        </svg>
        <h2>{t("offline.title")}</h2>
        <p>{t("offline.body")}</p>
        <p class="muted small" aria-live="polite">{t("offline.retrying")}</p>
        <div class="row center">
          <button
            type="button"
            class="btn btn-primary"
            data-testid="offline-retry"
            onClick={() => props.onRetry()}
          >
            {t("offline.retry")}
          </button>
          <LangSwitch />
        </div>
      </div>
    </main>
  );
}
