import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateClients, loadClientsFixture, WisproFixtureInvalid } from "./clients.ts";

describe("generateClients", () => {
  test("the same seed gives the same clients, another seed others", () => {
    expect(generateClients(50, 7)).toEqual(generateClients(50, 7));
    expect(generateClients(50, 8)[0]?.id).not.toBe(generateClients(50, 7)[0]?.id);
  });

  test("ids are unique UUIDs and public ids integers", () => {
    const clients = generateClients(2000, 3);
    expect(new Set(clients.map((c) => c.id)).size).toBe(2000);
    for (const c of clients) {
      expect(c.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(Number.isInteger(c.public_id)).toBe(true);
      expect(c.created_at).toMatch(/-04:00$/);
    }
  });

  test("covers the messy cases the agent must handle", () => {
    const clients = generateClients(2000, 3);
    const ids = clients.map((c) => c.national_identification_number);
    const has = (predicate: (c: (typeof clients)[number]) => boolean) => clients.some(predicate);
    expect(ids.some((id) => id !== null && /^\d{1,3}(\.\d{3})+$/.test(id))).toBe(true);
    expect(ids.some((id) => id?.startsWith("V-") && !id.startsWith("V-V-"))).toBe(true);
    expect(ids.some((id) => id?.startsWith("V-V-"))).toBe(true);
    expect(ids.some((id) => id !== null && /^[ve] \d+$/.test(id))).toBe(true);
    expect(ids.some((id) => id?.startsWith("E"))).toBe(true);
    expect(ids.some((id) => id !== null && /^J-\d{8}-\d$/.test(id))).toBe(true);
    expect(ids.some((id) => id === null || id === "")).toBe(true);
    expect(has((c) => c.details !== null && /^[VEve]$/.test(c.details))).toBe(true);
    expect(has((c) => c.email === null || c.email === "")).toBe(true);
    expect(has((c) => c.custom_id === "")).toBe(true);
    const withId = ids.filter((id) => id);
    expect(new Set(withId).size).toBeLessThan(withId.length);
    const emails = clients.map((c) => c.email).filter((e) => e);
    expect(new Set(emails).size).toBeLessThan(emails.length);
  });
});

describe("loadClientsFixture", () => {
  const dir = mkdtempSync(join(tmpdir(), "wispro-fixture-"));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  test("reads an array of client objects", () => {
    const clients = generateClients(3, 1);
    expect(loadClientsFixture(write("ok.json", JSON.stringify(clients)))).toEqual(clients);
  });

  test("refuses anything else with a clear error", () => {
    expect(() => loadClientsFixture(write("obj.json", "{}"))).toThrow(WisproFixtureInvalid);
    expect(() => loadClientsFixture(write("bad.json", "[1]"))).toThrow("item 0 is not an object");
    expect(() => loadClientsFixture(write("cut.json", "[{"))).toThrow(WisproFixtureInvalid);
    rmSync(dir, { recursive: true, force: true });
  });
});
