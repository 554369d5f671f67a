import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectEnvValues, writeEnvFile } from "./init.ts";
import { loadConfig } from "../config.ts";
import { setCliLang } from "../i18n/i18n.ts";

// These tests read the CLI's English messages.
beforeAll(() => setCliLang("en"));

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
  test("flags plus defaults, skipping what depends on an empty field", async () => {
    const values = await collectEnvValues(flags, null);
    expect(values).toMatchObject({
      FERRAWIN_DATABASE: "FERRAWIN",
      FERRAWIN_ENCRYPT: "false",
    });
    // No port written by default: 1433 then, or SQL Browser's answer for a HOST\INSTANCE.
    expect(values.FERRAWIN_PORT).toBeUndefined();
    expect(values.PUSHER_APP_CLUSTER).toBeUndefined();
    expect(values.WISPRO_API_URL).toBeUndefined();
  });

  test("asks for what flags left out, saying which answers are secrets", async () => {
    const asked: string[] = [];
    const secret: string[] = [];
    const values = await collectEnvValues(
      { "api-url": flags["api-url"] },
      (q, fallback, isSecret) => {
        asked.push(q);
        if (isSecret) secret.push(q);
        return q.startsWith("Agent key") ? "pk_live_0123456789abcdef" : fallback;
      },
    );
    expect(values.PUENTE_AGENT_KEY).toBe("pk_live_0123456789abcdef");
    expect(asked.some((q) => q.startsWith("Puente API URL"))).toBe(false);
    expect(secret).toEqual(["Agent key (from the panel)", "Wispro API token (empty: no Wispro)"]);
  });

  test("piped KEY=value lines fill in what flags left out; flags win", async () => {
    const values = await collectEnvValues({ "api-url": flags["api-url"] }, null, {
      PUENTE_API_URL: "http://ignored/functions/v1/sync",
      PUENTE_AGENT_KEY: "pk_$HOME_Contraseña_ü",
    });
    expect(values.PUENTE_API_URL).toBe(flags["api-url"]);
    expect(values.PUENTE_AGENT_KEY).toBe("pk_$HOME_Contraseña_ü");
  });

  test("a required value that nobody gave is an error naming its flag", async () => {
    await expect(collectEnvValues({}, null)).rejects.toThrow(
      "PUENTE_API_URL is required: pass --api-url",
    );
  });

  test("writes a 0600 file the config loader reads back, and refuses to overwrite without --force", async () => {
    const path = join(dir, ".env");
    writeEnvFile(path, await collectEnvValues(flags, null), false);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, "utf8")).toContain("keep it readable by the agent's account only");
    const config = loadConfig({ env: {}, envFile: path });
    expect(config.ferrawin?.password).toBe('p"w d#1');
    expect(() => writeEnvFile(path, {}, false)).toThrow("--force");
    writeEnvFile(path, await collectEnvValues(flags, null), true);
  });
});
