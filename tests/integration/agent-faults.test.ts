// The office agent under faults, through the whole system (SQL Server stand-in → agent → edge →
// gateway → Postgres): killed with SIGKILL mid-sync and restarted, its state file lost, and the ingest
// path answering 5xx, hanging, dropping connections or losing answers. Each ends exactly the source:
// the replica's content equals what a clean sync stored, with no duplicates and consistent run counts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { newAgentHome } from "../../devstack/src/agent-process.ts";
import { MAX_IN_FLIGHT_LIMIT } from "../../agent/src/sink/batch-pipeline.ts";
import {
  type FaultKind,
  type FaultProxy,
  startFaultProxy,
} from "../../devstack/src/faults/fault-proxy.ts";
import { seededRandom } from "../../devstack/src/random.ts";
import type { Stack } from "./support.ts";
import {
  AgentProcesses,
  emptyReplica,
  expectExact,
  one,
  RunProbe,
  sendCommand,
  type TableContent,
  testSeed,
  until,
  useReferenceStack,
} from "./agent-support.ts";

/** Small batches, so a sync of a few hundred planillas has dozens of batches to be killed between. */
const AGENT_ENV = { PUENTE_BATCH_PLANILLAS: "4" };

let stack: Stack;
let sql: postgres.Sql;
let adminToken: string;
/** What a clean, fault-free sync of the fixture stored, and the item count of that run. */
let reference: Record<string, TableContent>;
let sourceItems: number;
const agents = new AgentProcesses(() => stack.info, AGENT_ENV);

useReferenceStack({ planillas: 160, seed: 23 }, agents, (booted) => {
  ({ stack, sql, adminToken, reference, sourceItems } = booted);
  expect(reference.elementos!.rows).toBeGreaterThan(1000);
});

const spawn = agents.spawn.bind(agents);

const output = agents.output;
const probe = () => new RunProbe(sql, output);
const expectExactRun = async (runId: string) =>
  await expectExact(stack.info.dbUrl, await probe().run(runId), reference, sourceItems);

describe("the agent killed and restarted", () => {
  test(
    "SIGKILL at seeded random points of a FerraWin sync: each restart resumes, and it ends exactly the source",
    async () => {
      await emptyReplica(stack.info.dbUrl);
      const seed = testSeed("agent SIGKILL points");
      const random = seededRandom(seed);
      const home = newAgentHome();
      let daemon = spawn(["run"], home);
      const commandId = await sendCommand(stack.info, adminToken, "start", { mode: "all" });
      const runId = await probe().runOfCommand(commandId);

      // ~40 batches of 4 planillas: kill after a random share of them, three times, always later.
      const batches = Math.ceil(sourceItems / 4);
      const points = [0.15, 0.45, 0.75].map((base) =>
        Math.floor((base + random() * 0.2) * batches)
      );
      console.log(`killing after ${points.join(", ")} of ~${batches} batches`);
      let restarts = 0;
      for (const point of points) {
        await until(
          `${point} batches of run ${runId}`,
          async () =>
            (await probe().batchCount(runId)) >= point ||
            (await probe().run(runId)).status !== "running",
          60_000,
          output,
        );
        if ((await probe().run(runId)).status !== "running") break;
        await daemon.kill();
        expect((await probe().run(runId)).status).toBe("running");
        daemon = spawn(["run"], home);
        restarts++;
        await until(
          "the restarted agent resumes its run",
          () => daemon.output.includes(`resuming run ${runId}`),
          20_000,
          output,
        );
      }
      expect(restarts).toBe(points.length);
      await probe().finished(runId);
      await daemon.stop();

      await expectExactRun(runId);
      // The restarts continued that one run; none was started over.
      const { n } = await one(sql<{ n: number }[]>`
      select count(*)::int as n from public.runs where command_id = ${commandId}`);
      expect(n).toBe(1);
      const seqs = await probe().batchSeqs(runId);
      expect(new Set(seqs).size).toBe(seqs.length);
    },
    150_000,
  );

  test(
    "with its state file lost, a resume from the panel continues after the server's lastSeq",
    async () => {
      await emptyReplica(stack.info.dbUrl);
      const home = newAgentHome();
      let daemon = spawn(["run"], home);
      const commandId = await sendCommand(stack.info, adminToken, "start", { mode: "all" });
      const runId = await probe().runOfCommand(commandId);
      await until(
        "most of the batches",
        async () => {
          // Late enough that seqs past one in-flight window were used: restarting from a guess
          // instead of the server's lastSeq would reuse some, and their batches would be lost.
          return (await probe().batchCount(runId)) >= MAX_IN_FLIGHT_LIMIT + 8;
        },
        60_000,
        output,
      );
      await daemon.kill();
      // Batches the killed process had on the wire may still land: tell them apart by when they began.
      const { killedAt } = await one(sql<{ killedAt: Date }[]>`select now() as "killedAt"`);
      rmSync(join(home, "state", "runs.json"));

      daemon = await agents.connectedDaemon(home);
      // Without its record the agent does not know the run; the panel's resume names it.
      expect(daemon.output).not.toContain(`resuming run ${runId}`);
      await sendCommand(stack.info, adminToken, "resume", { runId });
      await probe().finished(runId);
      await daemon.stop();
      expect(daemon.output).toContain("has no local record");

      await expectExactRun(runId);
      const seqs = await sql<{ seq: number; isBefore: boolean }[]>`
      select seq, created_at < ${killedAt} as "isBefore" from public.ingest_batches
      where run_id = ${runId}`;
      const before = seqs.filter((b) => b.isBefore).map((b) => b.seq);
      const after = seqs.filter((b) => !b.isBefore).map((b) => b.seq);
      expect(Math.max(...before)).toBeGreaterThan(MAX_IN_FLIGHT_LIMIT);
      expect(after.length).toBeGreaterThan(0);
      // Every seq after the restart is new: past the server's highest and the lost process's window.
      expect(Math.min(...after)).toBeGreaterThan(Math.max(...before));
    },
    120_000,
  );
});

describe("the ingest path misbehaving for a while", () => {
  let proxy: FaultProxy;
  const functionsPath = () => new URL(stack.info.functionsUrl).pathname;

  beforeAll(async () => {
    proxy = await startFaultProxy({ target: new URL(stack.info.functionsUrl).origin });
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  /**
   * A one-shot sync through the proxy; once a few batches have landed, the next `times` requests to
   * the run's routes (mostly batches) meet `fault`. The run must retry through them and end exact.
   */
  async function syncThrough(fault: FaultKind, times: number) {
    await emptyReplica(stack.info.dbUrl);
    proxy.setPlan(null);
    const startedAt = new Date();
    const agent = spawn(["sync", "ferrawin", "--mode", "all", "--json"], newAgentHome(), {
      PUENTE_API_URL: `${proxy.url}${functionsPath()}`,
      PUENTE_REQUEST_TIMEOUT_SECONDS: "2",
    });
    let runId: string | undefined;
    await until(
      "the run is open",
      async () => {
        [{ id: runId } = { id: undefined }] = await sql<{ id: string }[]>`
        select id from public.runs where created_at >= ${startedAt} and command_id is null`;
        return runId !== undefined;
      },
      20_000,
      output,
    );
    await until(
      "a few batches",
      async () => (await probe().batchCount(runId!)) >= 3,
      30_000,
      output,
    );
    proxy.setPlan({ faults: [fault], next: times, paths: [`${functionsPath()}/agent/runs/`] });
    expect(await agent.exited).toBe(0);
    expect(proxy.stats().faulted[fault]).toBe(times);
    // The agent said why it was slow: it retried batches.
    expect(agent.output).toMatch(/retry 1 of \/\S+\/agent\/runs\/\S+\/batches/);
    await expectExactRun(runId!);
    return { runId: runId!, agent };
  }

  test("5xx answers are retried and the sync ends exact", async () => {
    await syncThrough("status", 4);
  }, 90_000);

  test(
    "a request hanging beyond the agent's timeout is retried and the sync ends exact",
    async () => {
      const { agent } = await syncThrough("hang", 3);
      expect(agent.output).toMatch(/retry \d of \S+: .*(timed out|timeout)/i);
    },
    90_000,
  );

  test("dropped connections are retried and the sync ends exact", async () => {
    await syncThrough("drop", 4);
  }, 90_000);

  test(
    "a batch that landed but whose answer was lost is retried without duplicating anything",
    async () => {
      const { runId, agent } = await syncThrough("lost_response", 4);
      expect(agent.output).toMatch(/batch \d+ was already stored/);
      // The retries of batches that had landed were answered from the first result: stored once.
      const seqs = await probe().batchSeqs(runId);
      expect(new Set(seqs).size).toBe(seqs.length);
    },
    90_000,
  );
});
