import { describe, expect, test } from "bun:test";
import { AgentRow } from "../api/rpc-shapes.ts";
import { translate } from "../i18n/dictionary.ts";
import { protocolWarning } from "./agent-protocol.ts";

const row = (fields: Record<string, unknown>) =>
  AgentRow.parse({ id: "a1", name: "Oficina", ...fields });
const SINCE = "2026-12-05T04:00:00.000Z";

describe("the panel's protocol warning for an agent", () => {
  test("an agent the API refuses for an older protocol: update the agent, with both versions", () => {
    const warning = protocolWarning(row({ protocolSeen: 0, protocolNeeded: 1, outdatedAt: SINCE }));
    expect(warning).toEqual({ key: "agent.outdated", seen: 0, needed: 1, since: SINCE });
    const text = (lang: "es" | "en") =>
      translate(lang, warning!.key, { seen: warning!.seen, needed: warning!.needed });
    expect(text("es")).toStartWith(
      "Actualiza el agente: habla el protocolo v0 y la API necesita v1.",
    );
    expect(text("en")).toStartWith("Update the agent: it speaks protocol v0 and the API needs v1.");
  });

  test("a newer agent than the API: the API is the one to update", () => {
    expect(protocolWarning(row({ protocolSeen: 2, protocolNeeded: 1, outdatedAt: SINCE }))?.key)
      .toBe("agent.apiOutdated");
  });

  test("no warning for an accepted, never-refused, older-database or revoked agent", () => {
    expect(protocolWarning(row({ protocolSeen: 1, protocolNeeded: null, outdatedAt: null }))).toBe(
      null,
    );
    // sync_overview of a database without the migration: the fields are absent.
    expect(protocolWarning(row({}))).toBe(null);
    expect(
      protocolWarning(
        row({ protocolSeen: 0, protocolNeeded: 1, outdatedAt: SINCE, revoked: true }),
      ),
    ).toBe(null);
  });
});
