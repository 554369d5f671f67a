// The chosen language as a Solid signal, remembered in localStorage; `t()` reads it reactively.
import { createSignal } from "solid-js";
import { type Lang, type MessageKey, translate } from "./dictionary.ts";

const STORAGE_KEY = "puente.lang";

function initialLang(): Lang {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
  return stored === "en" ? "en" : "es";
}

const [lang, setLangSignal] = createSignal<Lang>(initialLang());

export { lang };

export function setLang(next: Lang): void {
  globalThis.localStorage?.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  setLangSignal(next);
}

export function t(key: MessageKey, values?: Record<string, string | number>): string {
  return translate(lang(), key, values);
}
