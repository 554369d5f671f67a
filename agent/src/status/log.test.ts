import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localTimestamp, Logger, pruneLogFiles, RunEventBuffer } from "./log.ts";
import { startHeartbeat } from "./heartbeat.ts";

const dir = mkdtempSync(join(tmpdir(), "puente-log-"));
// Days and times below are UTC unless a test says otherwise (file names follow the local day).
const savedTz = process.env.TZ;
process.env.TZ = "UTC";
afterAll(() => {
  process.env.TZ = savedTz;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("log", () => {
  test("file lines carry local time with the offset; the day is the local day", () => {
    process.env.TZ = "America/Caracas"; // UTC-04:00, no daylight saving
    try {
      const at = new Date("2026-03-02T01:30:00.250Z");
      expect(localTimestamp(at)).toBe("2026-03-01T21:30:00.250-04:00");
      const local = join(dir, "local");
      const seen: string[] = [];
      const logger = new Logger({ dir: local, now: () => at });
      logger.subscribe((line) => seen.push(line.at));
      logger.info("evening in the office");
      expect(readFileSync(join(local, "puente-agent-2026-03-01.log"), "utf8")).toBe(
        "2026-03-01T21:30:00.250-04:00 INFO  evening in the office\n",
      );
      // What goes to the panel stays UTC.
      expect(seen).toEqual(["2026-03-02T01:30:00.250Z"]);
    } finally {
      process.env.TZ = "UTC";
    }
    expect(localTimestamp(new Date("2026-03-02T01:30:00Z"))).toBe("2026-03-02T01:30:00.000+00:00");
  });

  test("writes one file per day with secrets masked", () => {
    let now = new Date("2026-03-01T23:59:59Z");
    const logger = new Logger({ dir, secrets: ["s3cr3t-key"], now: () => now });
    logger.info("using key s3cr3t-key");
    now = new Date("2026-03-02T00:00:01Z");
    logger.warn("next day");
    expect(readFileSync(join(dir, "puente-agent-2026-03-01.log"), "utf8")).toContain(
      "INFO  using key ***",
    );
    expect(readFileSync(join(dir, "puente-agent-2026-03-02.log"), "utf8")).toContain(
      "WARN  next day",
    );
  });

  test("keeps 30 days of files and nothing else is touched", () => {
    const old = join(dir, "puente-agent-2026-01-01.log");
    const recent = join(dir, "puente-agent-2026-02-20.log");
    const other = join(dir, "notes.txt");
    for (const p of [old, recent, other]) writeFileSync(p, "x");
    expect(pruneLogFiles(dir, 30, new Date("2026-03-02T12:00:00Z"))).toEqual([
      "puente-agent-2026-01-01.log",
    ]);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent) && existsSync(other)).toBe(true);
  });

  test("a run's event buffer collects lines from info up, bounded, and can put lines back", () => {
    const logger = new Logger({ dir: null });
    const buffer = new RunEventBuffer(logger, 3);
    logger.debug("hidden");
    for (const n of [1, 2, 3, 4]) logger.info(`line ${n}`);
    const taken = buffer.take();
    expect(taken.map((l) => l.message)).toEqual([
      "(1 earlier lines are in the agent's log file) line 2",
      "line 3",
      "line 4",
    ]);
    expect(buffer.take()).toEqual([]);
    buffer.putBack(taken.slice(1));
    logger.error("after");
    expect(buffer.take().map((l) => l.message)).toEqual(["line 3", "line 4", "after"]);
    buffer.close();
    logger.info("not collected");
    expect(buffer.take()).toEqual([]);
  });
});

describe("heartbeat", () => {
  test("beats at once and then on its interval, reporting failures", async () => {
    const sent: unknown[] = [];
    const errors: Error[] = [];
    const stop = startHeartbeat({
      send: (h) => {
        sent.push(h);
        return sent.length === 2 ? Promise.reject(new Error("down")) : Promise.resolve();
      },
      info: () => ({ version: "1", hostname: "pc", activeRunId: null }),
      intervalMs: 50,
      onError: (e) => errors.push(e),
    });
    await Bun.sleep(300);
    stop();
    const count = sent.length;
    await Bun.sleep(120);
    expect(count).toBeGreaterThanOrEqual(3);
    expect(sent.length).toBe(count);
    expect(errors.map((e) => e.message)).toEqual(["down"]);
  });
});
