// The office agent's run control through the whole system, driven as the panel drives it: pause then
// resume ends exactly the source, cancel stops within one batch, a second agent process refuses to
// start a run while one is active, and a schedule set in the database makes the daemon start a run.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import type { SupabaseClient } from "@supabase/supabase-js";
import { newAgentHome } from "../../devstack/src/agent-process.ts";
import { type Stack, supabaseFor } from "./support.ts";
import {
  AgentProcesses,
  emptyReplica,
  expectExact,
  one,
  RunProbe,
  sendCommand,
  type TableContent,
  until,
  useReferenceStack,
} from "./agent-support.ts";

/** Small batches, so there are batch boundaries to stop at. */
const AGENT_ENV = { PUENTE_BATCH_PLANILLAS: "4" };
/** Per source row: with ~50 bars a planilla, a batch takes a few hundred ms to read. */
const SLOW_ROW_MS = 2;

let stack: Stack;
let sql: postgres.Sql;
let adminToken: string;
let reference: Record<string, TableContent>;
let sourceItems: number;
const agents = new AgentProcesses(() => stack.info, AGENT_ENV);

useReferenceStack({ planillas: 120, seed: 31 }, agents, (booted) => {
  ({ stack, sql, adminToken, reference, sourceItems } = booted);
});

afterEach(async () => {
  stack.sqlserver.setRowDelay(0);
  await agents.stopAll();
});

const spawn = agents.spawn.bind(agents);

const output = agents.output;
const probe = () => new RunProbe(sql, output);

const connectedDaemon = agents.connectedDaemon.bind(agents);

/** Into an empty replica, a slow `all` run started from the panel; its id once 3 batches have landed. */
async function slowRunUnderWay(): Promise<string> {
  await emptyReplica(stack.info.dbUrl);
  stack.sqlserver.setRowDelay(SLOW_ROW_MS);
  await connectedDaemon();
  const runId = await probe().runOfCommand(
    await sendCommand(stack.info, adminToken, "start", { mode: "all" }),
  );
  await probe().untilBatches(runId, 3);
  return runId;
}

describe("run control from the panel", () => {
  test("pause, then resume, completes with exactly the source", async () => {
    const runId = await slowRunUnderWay();
    await sendCommand(stack.info, adminToken, "pause", { runId });
    await probe().untilStatus(runId, "paused");
    const paused = await probe().run(runId);
    expect(paused.done).toBeLessThan(sourceItems);
    stack.sqlserver.setRowDelay(0);
    await sendCommand(stack.info, adminToken, "resume", { runId });
    const run = await probe().finished(runId);
    await expectExact(stack.info.dbUrl, run, reference, sourceItems);
  }, 120_000);

  test("cancel stops within one batch and the run ends cancelled", async () => {
    const runId = await slowRunUnderWay();
    const cancelId = await sendCommand(stack.info, adminToken, "cancel", { runId });
    const run = await probe().finished(runId);
    expect(run.status).toBe("cancelled");
    const { claimedAt } = await one(sql<{ claimedAt: Date }[]>`
      select claimed_at as "claimedAt" from public.commands where id = ${cancelId}`);
    // Batches the server began after the agent took the cancel: at most the one already on its way.
    const { after, total } = await one(sql<{ after: number; total: number }[]>`
      select count(*) filter (where created_at > ${claimedAt})::int as after, count(*)::int as total
      from public.ingest_batches where run_id = ${runId}`);
    console.log(`cancel: ${total} batches in all, ${after} begun after the cancel was claimed`);
    expect(after).toBeLessThanOrEqual(1);
    expect(run.done).toBeLessThan(sourceItems);
    // What landed is whole: every acknowledged planilla, no half batch.
    const { planillas } = await one(sql<{ planillas: number }[]>`
      select count(*)::int as planillas from public.planillas`);
    expect(planillas).toBe(run.counts.planillas?.created ?? 0);
  }, 120_000);

  test("a second agent process refuses to start a run while one is active", async () => {
    stack.sqlserver.setRowDelay(SLOW_ROW_MS);
    const home = newAgentHome();
    const daemon = await connectedDaemon(home);
    const runId = await probe().runOfCommand(
      await sendCommand(stack.info, adminToken, "start", { mode: "all" }),
    );
    await probe().untilBatches(runId, 1);

    // The same machine (the same state folder): the lock file refuses it before anything starts.
    const sameMachine = spawn(["sync", "ferrawin", "--mode", "all"], home);
    expect(await sameMachine.exited).toBe(75);
    expect(sameMachine.output).toContain(
      `another puente-agent (PID ${daemon.pid}) is already running`,
    );
    const secondDaemon = spawn(["run"], home);
    expect(await secondDaemon.exited).toBe(75);

    // Another machine with the same key: the database's one-active-run rule refuses it.
    const elsewhere = spawn(["sync", "ferrawin", "--mode", "all"], newAgentHome());
    expect(await elsewhere.exited).toBe(75);
    expect(elsewhere.output).toContain("another run of this agent is already running");

    const { runs } = await one(sql<{ runs: number }[]>`
      select count(*)::int as runs from public.runs
      where agent_id = ${stack.info.agent.id} and status in ('queued', 'running', 'paused')`);
    expect(runs).toBe(1);
    expect((await probe().run(runId)).status).toBe("running");
    await sendCommand(stack.info, adminToken, "cancel", { runId });
    expect((await probe().finished(runId)).status).toBe("cancelled");
  }, 120_000);
});

describe("schedules live in the database", () => {
  let admin: SupabaseClient;

  beforeAll(async () => {
    admin = supabaseFor(stack.info);
    const { error } = await admin.auth.signInWithPassword(stack.info.users.admin);
    if (error) throw error;
  });

  afterAll(async () => {
    await admin?.rpc("set_schedule", {
      p_agent_id: stack.info.agent.id,
      p_source: "ferrawin",
      p_interval_minutes: null,
    });
  });

  test(
    "a schedule set through the RPC makes the daemon start a scheduled run that history lists",
    async () => {
      // Claims every 5 s instead of 30: nothing rings the doorbell for a schedule, the periodic claim finds it.
      const daemon = await connectedDaemon(newAgentHome(), { PUENTE_CLAIM_INTERVAL_SECONDS: "5" });
      const { data: schedule, error } = await admin.rpc("set_schedule", {
        p_agent_id: stack.info.agent.id,
        p_source: "ferrawin",
        p_interval_minutes: 2,
      });
      expect(error).toBeNull();
      expect(schedule).toMatchObject({ source: "ferrawin", intervalMinutes: 2 });
      const firstDue = new Date(schedule.nextDueAt).getTime();
      expect(firstDue).toBeGreaterThan(Date.now() + 60_000);

      // Two minutes pass: the test moves the due time instead of waiting for it.
      const { dueAt } = await one(sql<{ dueAt: Date }[]>`
      update public.schedules set next_due_at = now()
      where agent_id = ${stack.info.agent.id} and source = 'ferrawin'
      returning next_due_at as "dueAt"`);
      let runId: string | undefined;
      await until(
        "a scheduled run",
        async () => {
          [{ id: runId } = { id: undefined }] = await sql<{ id: string }[]>`
        select id from public.runs where scheduled and created_at >= ${dueAt}`;
          return runId !== undefined;
        },
        20_000,
        output,
      );
      const run = await probe().finished(runId!);
      expect(run).toMatchObject({ status: "completed", scheduled: true });
      expect(daemon.output).toContain("incremental");

      const { data: history, error: listError } = await admin.rpc("list_runs", {
        p_source: "ferrawin",
      });
      expect(listError).toBeNull();
      expect(
        (history as { id: string; scheduled: boolean; mode: string }[]).find((r) => r.id === runId),
      ).toMatchObject({ scheduled: true, mode: "incremental" });
      // The claim that started it moved the schedule on by its interval.
      const { nextDueAt } = await one(sql<{ nextDueAt: Date }[]>`
      select next_due_at as "nextDueAt" from public.schedules
      where agent_id = ${stack.info.agent.id} and source = 'ferrawin'`);
      expect(nextDueAt.getTime()).toBeGreaterThan(dueAt.getTime() + 60_000);
    },
    90_000,
  );
});
