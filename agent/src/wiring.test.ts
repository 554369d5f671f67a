// Redaction as the agent is wired: each configured secret (agent key, SQL Server password, Wispro token)
// forced into a run's error, a log line and `status` never comes out as itself.
import { AgentOutdated } from "./errors/agent-outdated.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "./config.ts";
import { agentLogger, wireAgent } from "./wiring.ts";
import { sourceOpener } from "./sources/registry.ts";
import { statusCommand } from "./cli/status.ts";
import { recordUpdateNeeded } from "./status/update-needed.ts";
import { AGENT_KEY, type FakeEdge, startFakeEdge } from "../test/fake-edge.ts";
import { fakeFerrawinSource } from "../test/fake-sources.ts";

const SQL_PASSWORD = "sql-Passw0rd-of-the-office";
const WISPRO_TOKEN = "wispro-token-0123456789abcdef";
const SECRETS = [AGENT_KEY, SQL_PASSWORD, WISPRO_TOKEN];
const everySecret = `key ${AGENT_KEY} password ${SQL_PASSWORD} token ${WISPRO_TOKEN}`;

let edge: FakeEdge;
let dir: string;
beforeAll(() => {
  edge = startFakeEdge();
  dir = mkdtempSync(join(tmpdir(), "puente-wiring-"));
});
afterAll(() => {
  edge.stop();
  rmSync(dir, { recursive: true, force: true });
});

const configFor = (name: string) =>
  loadConfig({
    env: {
      PUENTE_API_URL: edge.url,
      PUENTE_AGENT_KEY: AGENT_KEY,
      FERRAWIN_HOST: "127.0.0.1",
      FERRAWIN_USERNAME: "sa",
      FERRAWIN_PASSWORD: SQL_PASSWORD,
      WISPRO_API_TOKEN: WISPRO_TOKEN,
      PUENTE_STATE_DIR: join(dir, name, "state"),
      PUENTE_LOG_DIR: join(dir, name, "logs"),
    },
    envFile: null,
  });

const expectNoSecret = (text: string) => {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
};

describe("redaction of every configured secret", () => {
  test("the configuration holds the three secrets", () => {
    expect([...configFor("c").secrets].sort()).toEqual([...SECRETS].sort());
  });

  test("a run's error: what the agent reports, and what the server stores", async () => {
    const config = configFor("run");
    const logger = agentLogger(config);
    const failing = fakeFerrawinSource({
      planillas: 3,
      failAfter: { items: 1, error: new Error(`login failed (${everySecret})`) },
    });
    const { runner } = wireAgent(config, logger, {
      keepAwake: () => () => {},
      openSource: sourceOpener({ ferrawin: () => failing.source }),
    });
    const outcome = await runner.start({ source: "ferrawin", params: { mode: "all" } });
    expect(outcome.status).toBe("failed");
    expect(outcome.error!.message).toContain("login failed (key *** password *** token ***)");
    expectNoSecret(JSON.stringify(outcome));
    const stored = edge.runs.get(outcome.runId)!;
    expect(stored.error!.message).toContain("login failed");
    expectNoSecret(JSON.stringify(stored));
  });

  test("a log line, in the file", () => {
    const config = configFor("log");
    const logger = agentLogger(config);
    logger.error(`could not connect: ${everySecret}`);
    const files = readdirSync(config.logDir);
    const text = files.map((f) => readFileSync(join(config.logDir, f), "utf8")).join("");
    expect(text).toContain("could not connect: key *** password *** token ***");
    expectNoSecret(text);
  });

  test("status, as text and as JSON", () => {
    const config = configFor("status");
    recordUpdateNeeded(config.stateDir, new AgentOutdated(`the server said: ${everySecret}`));
    for (const json of [false, true]) {
      const lines: string[] = [];
      statusCommand(config, { json }, (line) => lines.push(line));
      const text = lines.join("\n");
      expect(text).toContain("the server said: key *** password *** token ***");
      expectNoSecret(text);
    }
  });
});
