import { describe, expect, test } from "bun:test";
import { dictionaries, en, es, translate } from "./dictionary.ts";
import type { ErrorKind } from "../api/errors.ts";
import { placeholderNames, RunStatus } from "@puente/protocol";

const placeholders = placeholderNames;

describe("i18n dictionary", () => {
  test("every key exists in both languages, with text", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(es).sort());
    for (const [lang, dict] of Object.entries(dictionaries)) {
      for (const [key, text] of Object.entries(dict)) {
        expect(`${lang}:${key}:${text.trim().length > 0}`).toBe(`${lang}:${key}:true`);
      }
    }
  });

  test("both languages use the same placeholders for each key", () => {
    for (const key of Object.keys(es) as (keyof typeof es)[]) {
      expect(`${key}:${placeholders(en[key])}`).toBe(`${key}:${placeholders(es[key])}`);
    }
  });

  test("every error kind has a title and an action in both languages", () => {
    const kinds: ErrorKind[] = [
      "offline",
      "sqlserverUnreachable",
      "agentKeyInvalid",
      "wisproTokenRefused",
      "conflict",
      "sessionExpired",
      "forbidden",
      "notFound",
      "invalidInput",
      "rateLimited",
      "agentOffline",
      "server",
    ];
    for (const kind of kinds) {
      expect(`error.${kind}.title` in es).toBe(true);
      expect(`error.${kind}.action` in es).toBe(true);
    }
  });

  test("keys built at run time exist: run statuses, connection states, modes, entities", () => {
    const needed = [
      ...RunStatus.options.map((s) => `status.${s}`),
      ...["initialized", "connecting", "connected", "unavailable", "failed", "disconnected"].map((
        c,
      ) => `conn.${c}`),
      ...["incremental", "year", "one", "all", "full"].map((m) => `mode.${m}`),
      ...["planillas", "elementos", "entidades", "customers"].map((e) => `entity.${e}`),
      ...["created", "updated", "unchanged", "deleted", "rejected"].map((c) => `count.${c}`),
      ...["timeout", "auth", "server"].map((c) => `detail.class.${c}`),
    ];
    for (const key of needed) expect(`${key}:${key in es}`).toBe(`${key}:true`);
  });

  test("translate fills placeholders and leaves unknown ones visible", () => {
    expect(translate("es", "confirm.yearContinue", { lastCode: "2026-000886" })).toBe(
      "Continuar desde 2026-000886 hacia atrás",
    );
    expect(translate("en", "run.doneOfTotal", { done: 3 })).toBe("3 of {total}");
  });

  test("Spanish is the conflict wording users know", () => {
    expect(translate("es", "error.conflict.title").toLowerCase()).toContain(
      "ya hay una sincronización en curso",
    );
  });
});
