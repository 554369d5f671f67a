import { describe, expect, test } from "bun:test";
import type { RunProgressInput } from "../sink/edge-client.ts";
import { Logger, RunEventBuffer } from "../status/log.ts";
import { AgentKeyInvalid } from "../errors/agent-key-invalid.ts";
import { ProgressReporter, type ProgressSource } from "./progress-reporter.ts";

function setup(options: { intervalMs: number; fail?: (n: number) => Error | null }) {
  const sent: RunProgressInput[] = [];
  const warnings: string[] = [];
  const fatal: Error[] = [];
  const logger = new Logger({ dir: null });
  logger.subscribe((line) => {
    if (line.level === "warn") warnings.push(line.message);
  });
  const run: ProgressSource = {
    snapshot: {
      runId: "r",
      source: "ferrawin",
      mode: "all",
      status: "running",
      total: 100,
      done: 0,
      counts: {},
      ratePerS: null,
      lastItem: null,
      cursor: null,
      startedAt: Date.now(),
      error: null,
    },
    doneAtStart: 0,
    doneAtCursor: 0,
  };
  const events = new RunEventBuffer(logger);
  const reporter = new ProgressReporter({
    send: (progress) => {
      sent.push(progress);
      const error = options.fail?.(sent.length) ?? null;
      return error ? Promise.reject(error) : Promise.resolve();
    },
    run,
    events,
    logger,
    intervalMs: options.intervalMs,
    now: Date.now,
    onFatal: (error) => fatal.push(error),
  });
  const advance = (done: number) => {
    run.snapshot.done = done;
    run.doneAtCursor = done;
  };
  return { reporter, sent, warnings, fatal, advance, logger };
}

describe("ProgressReporter", () => {
  test("a burst sends one report now and one after the interval, each with the latest numbers", async () => {
    const { reporter, sent, advance } = setup({ intervalMs: 80 });
    for (let done = 1; done <= 10; done++) {
      advance(done);
      void reporter.report(false);
    }
    await Bun.sleep(10);
    // Read when sent, not when queued: one report, with the burst's last numbers.
    expect(sent.map((p) => p.done)).toEqual([10]);
    for (let done = 11; done <= 20; done++) {
      advance(done);
      void reporter.report(false);
    }
    await Bun.sleep(20);
    expect(sent.map((p) => p.done)).toEqual([10]);
    advance(25);
    await Bun.sleep(150);
    expect(sent.map((p) => p.done)).toEqual([10, 25]);
  });

  test("a forced report does not wait, and supersedes the waiting one", async () => {
    const { reporter, sent, advance } = setup({ intervalMs: 10_000 });
    advance(1);
    await reporter.report(false);
    advance(2);
    void reporter.report(false); // waits 10 s for its turn
    advance(3);
    // Were it to wait behind the regular one (10 s), the test would time out here.
    await reporter.report(true, "paused");
    await Bun.sleep(20);
    expect(sent.map((p) => [p.status, p.done])).toEqual([["running", 1], ["paused", 3]]);
  });

  test("flush drops a waiting report; nothing is sent after it", async () => {
    const { reporter, sent, advance } = setup({ intervalMs: 10_000 });
    advance(1);
    await reporter.report(false);
    advance(2);
    void reporter.report(false);
    await reporter.flush();
    advance(3);
    await reporter.report(false);
    expect(sent.map((p) => p.done)).toEqual([1]);
  });

  test("a refused key is fatal; any other failure is a warning and its events are sent again", async () => {
    const refused = setup({ intervalMs: 0, fail: () => new AgentKeyInvalid() });
    await refused.reporter.report(true);
    expect(refused.fatal).toHaveLength(1);
    expect(refused.fatal[0]).toBeInstanceOf(AgentKeyInvalid);

    const flaky = setup({ intervalMs: 0, fail: (n) => n === 1 ? new Error("HTTP 502") : null });
    flaky.logger.info("an event of the run");
    await flaky.reporter.report(true);
    expect(flaky.fatal).toHaveLength(0);
    expect(flaky.warnings).toEqual(["progress report failed: HTTP 502"]);
    await flaky.reporter.report(true);
    expect(flaky.sent[1]!.events!.map((e) => e.message)).toContain("an event of the run");
  });
});
