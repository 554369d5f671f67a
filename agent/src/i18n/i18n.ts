// The CLI's language: `--lang es|en`, else PUENTE_LANG, else the system locale (LC_ALL, LC_MESSAGES,
// LANG; where none is set, as on Windows, Intl's resolved locale), else Spanish, like the panel.
// `t()` reads the chosen language; main.ts chooses it once per command line.
import { fillPlaceholders } from "@puente/protocol";
import { catalogues, type MessageKey } from "./messages.ts";

export type CliLang = keyof typeof catalogues;
export type { MessageKey };

const isCliLang = (value: string): value is CliLang => value === "es" || value === "en";

/** `es_AR.UTF-8`, `en-US`, `English_United States.1252` → its language, when it is one we speak. */
export function langOfLocale(locale: string | undefined): CliLang | null {
  const language = locale?.trim().toLowerCase().match(/^[a-z]+/)?.[0] ?? "";
  if (language === "es" || language === "spanish") return "es";
  if (language === "en" || language === "english") return "en";
  return null;
}

/** The `--lang` value in argv (`--lang en` or `--lang=en`), if any. */
export function langFlag(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") break;
    if (arg === "--lang") return argv[i + 1] ?? "";
    if (arg.startsWith("--lang=")) return arg.slice("--lang=".length);
  }
  return null;
}

/** Removes `--lang X` / `--lang=X` so each command's own grammar never sees it. */
export function withoutLangFlag(argv: readonly string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === "--lang") i++;
    else if (!arg.startsWith("--lang=")) rest.push(arg);
  }
  return rest;
}

/** Windows has no LANG: its display language reaches Bun through Intl. Elsewhere, no variable, no guess. */
const windowsLocale = () =>
  process.platform === "win32" ? Intl.DateTimeFormat().resolvedOptions().locale : undefined;

export function resolveCliLang(
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
  systemLocale: () => string | undefined = windowsLocale,
): CliLang {
  const flag = langFlag(argv);
  if (flag !== null && isCliLang(flag)) return flag;
  const chosen = env.PUENTE_LANG?.trim().toLowerCase();
  if (chosen && isCliLang(chosen)) return chosen;
  // POSIX order: LC_ALL overrides LC_MESSAGES, which overrides LANG; "C"/"POSIX" name no language.
  const posix = env.LC_ALL || env.LC_MESSAGES || env.LANG;
  if (posix) return langOfLocale(posix) ?? "es";
  return langOfLocale(systemLocale()) ?? "es";
}

let current: CliLang | null = null;

/** The language `t()` uses; until main.ts sets one, it is resolved from the environment. */
export function cliLang(): CliLang {
  return current ??= resolveCliLang([]);
}

export function setCliLang(lang: CliLang | null): void {
  current = lang;
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(catalogues.en, key);
}

export function translate(
  lang: CliLang,
  key: MessageKey,
  values: Record<string, string | number> = {},
): string {
  return fillPlaceholders(catalogues[lang][key], values);
}

export function t(key: MessageKey, values?: Record<string, string | number>): string {
  return translate(cliLang(), key, values);
}
