import { afterAll, describe, expect, test } from "bun:test";
import { COMMANDS, optionHelp } from "../cli/args.ts";
import { langOfLocale, resolveCliLang, setCliLang, t, translate, withoutLangFlag } from "./i18n.ts";
import { en, es, type MessageKey } from "./messages.ts";
import { placeholderNames } from "@puente/protocol";

const placeholders = placeholderNames;
const noLocale = () => undefined;

afterAll(() => setCliLang(null));

describe("the CLI's catalogue", () => {
  test("every key exists in both languages, with text and the same placeholders", () => {
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as MessageKey[]) {
      expect(`${key}:${es[key].trim().length > 0}`).toBe(`${key}:true`);
      expect(`${key}:${placeholders(es[key])}`).toBe(`${key}:${placeholders(en[key])}`);
    }
  });

  test("every command has a summary and every option a help text in both languages", () => {
    for (const lang of ["es", "en"] as const) {
      setCliLang(lang);
      for (const spec of COMMANDS) {
        expect(`${lang}:${spec.name}:${t(`help.${spec.name}.summary` as MessageKey) !== ""}`)
          .toBe(`${lang}:${spec.name}:true`);
        for (const option of Object.keys(spec.options)) {
          expect(`${lang}:${spec.name} --${option}:${optionHelp(spec, option) !== ""}`)
            .toBe(`${lang}:${spec.name} --${option}:true`);
        }
      }
    }
  });

  test("placeholders are filled; an unknown one stays visible", () => {
    expect(translate("es", "init.exists", { path: "C:\\Puente\\.env" }))
      .toBe("C:\\Puente\\.env ya existe: pasa --force para sobrescribirlo");
    expect(translate("en", "init.exists", {})).toBe(
      "{path} already exists: pass --force to overwrite it",
    );
  });
});

describe("choosing the CLI's language", () => {
  test("Spanish by default: no flag, no PUENTE_LANG, no locale", () => {
    expect(resolveCliLang([], {}, noLocale)).toBe("es");
  });

  test("--lang wins, then PUENTE_LANG, then LC_ALL, LC_MESSAGES, LANG", () => {
    const env = { PUENTE_LANG: "es", LANG: "en_US.UTF-8" };
    expect(resolveCliLang(["status", "--lang", "en"], env, noLocale)).toBe("en");
    expect(resolveCliLang(["--lang=en"], env, noLocale)).toBe("en");
    expect(resolveCliLang([], env, noLocale)).toBe("es");
    expect(resolveCliLang([], { LANG: "en_US.UTF-8" }, noLocale)).toBe("en");
    expect(resolveCliLang([], { LC_ALL: "es_AR.UTF-8", LANG: "en_US.UTF-8" }, noLocale)).toBe("es");
    expect(resolveCliLang([], { LC_MESSAGES: "en_GB", LANG: "es_ES" }, noLocale)).toBe("en");
    // A language we do not speak, or "C", falls back to Spanish.
    expect(resolveCliLang([], { LANG: "fr_FR.UTF-8" }, noLocale)).toBe("es");
    expect(resolveCliLang([], { LANG: "C.UTF-8" }, () => "en-US")).toBe("es");
  });

  test("with no locale variable (Windows), the system's locale decides", () => {
    expect(resolveCliLang([], {}, () => "en-US")).toBe("en");
    expect(resolveCliLang([], {}, () => "es-419")).toBe("es");
    expect(resolveCliLang([], {}, () => "de-DE")).toBe("es");
  });

  test("locale names as POSIX and Windows write them", () => {
    expect(langOfLocale("es_MX.UTF-8")).toBe("es");
    expect(langOfLocale("English_United States.1252")).toBe("en");
    expect(langOfLocale("Spanish_Spain.1252")).toBe("es");
    expect(langOfLocale("POSIX")).toBe(null);
  });

  test("--lang is removed before a command parses its options; `--` ends the options", () => {
    expect(withoutLangFlag(["sync", "--lang", "en", "ferrawin", "--lang=es"])).toEqual([
      "sync",
      "ferrawin",
    ]);
    expect(withoutLangFlag(["run", "--", "--lang", "en"])).toEqual(["run", "--", "--lang", "en"]);
  });
});
