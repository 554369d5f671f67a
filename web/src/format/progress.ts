// Numbers people read while a sync runs: rate, ETA, percentages, "hace X", in the chosen language.
import type { Lang } from "../i18n/dictionary.ts";

const locales: Record<Lang, string> = { es: "es-ES", en: "en-GB" };

export function formatNumber(value: number, lang: Lang, maxFractionDigits = 0): string {
  return new Intl.NumberFormat(locales[lang], { maximumFractionDigits: maxFractionDigits })
    .format(value);
}

/** Rows (or planillas) per second: one decimal below 10, whole numbers above. */
export function formatRate(ratePerS: number | null, lang: Lang): string {
  if (ratePerS === null || !Number.isFinite(ratePerS) || ratePerS < 0) return "—";
  return `${formatNumber(ratePerS, lang, ratePerS < 10 ? 1 : 0)}/s`;
}

/** Seconds left, or null when it cannot be known (no total, no rate, or already past the total). */
export function etaSeconds(
  done: number,
  total: number | null,
  ratePerS: number | null,
): number | null {
  if (total === null || ratePerS === null || !(ratePerS > 0)) return null;
  const remaining = total - done;
  if (remaining <= 0) return 0;
  return Math.ceil(remaining / ratePerS);
}

/** A short human duration: `45 s`, `3 min 20 s`, `2 h 05 min`. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const rest = s % 60;
    return rest === 0 ? `${Math.floor(s / 60)} min` : `${Math.floor(s / 60)} min ${rest} s`;
  }
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  return `${hours} h ${String(minutes).padStart(2, "0")} min`;
}

/** Whole percent, clamped to 0..100; null without a total. */
export function percent(done: number, total: number | null): number | null {
  if (total === null || total <= 0) return null;
  return Math.max(0, Math.min(100, Math.floor((done / total) * 100)));
}

/** "hace 5 s" / "5 s ago"; future times (a schedule's next run) read "en 3 min" / "in 3 min". */
export function formatRelative(iso: string | null, now: number, lang: Lang): string {
  if (!iso) return "—";
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "—";
  const deltaS = Math.round((now - at) / 1000);
  const text = formatDuration(Math.abs(deltaS));
  if (deltaS >= 0) return lang === "es" ? `hace ${text}` : `${text} ago`;
  return lang === "es" ? `en ${text}` : `in ${text}`;
}

/**
 * "hace 5 s" for something that already happened (an update, a heartbeat). A timestamp slightly ahead
 * of this device's clock (skew between the server and the phone) reads "ahora", never "en 1 s".
 */
export function formatAgo(iso: string | null, now: number, lang: Lang): string {
  if (!iso) return "—";
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "—";
  if (now - at < 1000) return lang === "es" ? "ahora" : "just now";
  return formatRelative(iso, now, lang);
}

/**
 * The speed to show for a run: the live rate while it runs; once it has ended, the average over the
 * whole run (a finished run's last live rate is 0, which says nothing).
 */
export function displayRate(
  run: {
    done: number;
    ratePerS: number | null;
    startedAt: string | null;
    finishedAt: string | null;
  },
): number | null {
  if (!run.finishedAt) return run.ratePerS;
  const started = run.startedAt ? Date.parse(run.startedAt) : NaN;
  const seconds = (Date.parse(run.finishedAt) - started) / 1000;
  if (!Number.isFinite(seconds) || seconds <= 0) return run.ratePerS;
  return run.done / seconds;
}

export function formatDateTime(iso: string | null, lang: Lang): string {
  if (!iso) return "—";
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return "—";
  return new Intl.DateTimeFormat(locales[lang], { dateStyle: "short", timeStyle: "medium" })
    .format(at);
}
