import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectEnvValues, writeEnvFile } from "./init.ts";
import { loadConfig } from "../config.ts";

const dir = mkdtempSync(join(tmpdir(), "puente-init-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const flags = {
  "api-url": "http://127.0.0.1:1/functions/v1/sync",
  "agent-key": "pk_0123456789abcdef0123",
  "ferrawin-host": "10.0.0.2",
  "ferrawin-username": "sa",
  "ferrawin-password": 'p"w d#1',
};

describe("init", () => {
  test("flags plus defaults, skipping what depends on an empty field", () => {
    const values = collectEnvValues(flags, null);
    expect(values).toMatchObject({
      FERRAWIN_DATABASE: "FERRAWIN",
      FERRAWIN_ENCRYPT: "false",
    });
    // No port written by default: 1433 then, or SQL Browser's answer for a HOST\INSTANCE.
    expect(values.FERRAWIN_PORT).toBeUndefined();
    expect(values.PUSHER_APP_CLUSTER).toBeUndefined();
    expect(values.WISPRO_API_URL).toBeUndefined();
  });

  test("asks for what flags left out", () => {
    const asked: string[] = [];
    const values = collectEnvValues({ "agent-key": flags["agent-key"] }, (question, fallback) => {
      asked.push(question);
      return question.startsWith("Puente API URL") ? "https://x/functions/v1/sync" : fallback;
    });
    expect(values.PUENTE_API_URL).toBe("https://x/functions/v1/sync");
    expect(asked.some((q) => q.startsWith("Agent key"))).toBe(false);
  });

  test("a required value that nobody gave is an error naming its flag", () => {
    expect(() => collectEnvValues({}, null)).toThrow("PUENTE_API_URL is required: pass --api-url");
  });

  test("writes a 0600 file the config loader reads back, and refuses to overwrite without --force", () => {
    const path = join(dir, ".env");
    writeEnvFile(path, collectEnvValues(flags, null), false);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, "utf8")).toContain("keep it readable by the agent's account only");
    const config = loadConfig({ env: {}, envFile: path });
    expect(config.ferrawin?.password).toBe('p"w d#1');
    expect(() => writeEnvFile(path, {}, false)).toThrow("--force");
    writeEnvFile(path, collectEnvValues(flags, null), true);
  });
});
