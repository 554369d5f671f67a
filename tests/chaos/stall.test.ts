// Chaos: an agent that stops reporting. Its run is marked `stalled` (mark_stalled_runs, which the
// heartbeat and the panel's overview also run), and the sync still ends exact: when the frozen agent
// wakes up it carries on, and when it is gone for good the next agent start resumes the run.
// Two minutes of silence are simulated by moving the run's last report back in time.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createClient } from "@supabase/supabase-js";
import postgres from "postgres";
import { newAgentHome } from "../../devstack/src/agent-process.ts";
import { bootStack, signIn, type Stack, uuid } from "../integration/support.ts";
import {
  batchCountTotals,
  changePlanillas,
  chaosSeed,
  expectExact,
  fullCounts,
  IS_CI,
  postCommand,
  RestartableAgent,
  runEnded,
  runRow,
  until,
  untilConnected,
} from "./support.ts";

const { seed, random, between } = chaosSeed("stall");

let stack: Stack;
let sql: postgres.Sql;
let admin: string;
const agents: RestartableAgent[] = [];
let stalls = 0;
const exactness = { lost: 0, duplicated: 0 };

const agentEnv = {
  PUENTE_BATCH_PLANILLAS: "3",
  PUENTE_HEARTBEAT_SECONDS: "1",
  PUENTE_CLAIM_INTERVAL_SECONDS: "5",
};

beforeAll(async () => {
  stack = await bootStack({ planillas: IS_CI ? 100 : 150, seed: seed % 1000 });
  sql = postgres(stack.info.dbUrl, { max: 2, onnotice: () => {} });
  admin = await signIn(stack.info, "admin");
}, 180_000);

afterAll(async () => {
  console.log(`chaos stall: ${stalls} runs stalled and recovered, ${exactness.lost} lost`);
  for (const agent of agents) await agent.stop();
  await sql?.end();
  await stack?.stop();
}, 60_000);

function startAgent(home = newAgentHome()): RestartableAgent {
  const agent = new RestartableAgent(stack, home, agentEnv);
  agent.start();
  agents.push(agent);
  return agent;
}

/** Starts a slow `all` run and returns its id once some of its batches have landed. */
async function slowRunUnderWay(agent: RestartableAgent): Promise<string> {
  const answer = await postCommand(stack, admin, {
    requestId: uuid(),
    action: "start",
    params: { mode: "all" },
  });
  expect(answer.status).toBe(201);
  let runId = "";
  const landed = between(2, 8);
  await until(
    "the run to be under way",
    async () => {
      const [row] = await sql<{ id: string; n: number }[]>`
      select r.id, (select count(*)::int from public.ingest_batches b where b.run_id = r.id) as n
      from public.runs r where r.command_id = ${answer.body.commandId}`;
      runId = row?.id ?? "";
      return (row?.n ?? 0) >= landed;
    },
    60_000,
    () => agent.output,
  );
  return runId;
}

/** Two minutes without a report, as the database sees it, then the stall check as the edge runs it. */
async function stallRun(runId: string) {
  await sql`update public.runs set updated_at = now() - interval '3 minutes' where id = ${runId}`;
  const service = createClient(stack.info.supabaseUrl, stack.info.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const { data, error } = await service.rpc("mark_stalled_runs");
  expect(error).toBeNull();
  expect(data).toBeGreaterThanOrEqual(1);
  expect((await runRow(sql, runId))?.status).toBe("stalled");
  stalls++;
  // The panel reads it so too.
  const { data: overview } = await createClient(stack.info.supabaseUrl, stack.info.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { headers: { authorization: `Bearer ${admin}` } },
  }).rpc("sync_overview");
  const active = (overview?.activeRuns ?? []) as { id: string; status: string }[];
  expect(active.find((r) => r.id === runId)?.status).toBe("stalled");
}

async function expectCompletedAndCounted(runId: string) {
  const run = await runEnded(
    sql,
    runId,
    "the run to end",
    120_000,
    () => agents.map((a) => a.output.slice(-2000)).join("\n---\n"),
  );
  expect({ status: run.status, error: run.error }).toEqual({ status: "completed", error: null });
  expect(fullCounts(run.counts)).toEqual((await batchCountTotals(sql, runId)).counts);
  expect(run.done).toBe(run.total ?? -1);
}

test(
  "a frozen agent's run is marked stalled; when the agent wakes up the run ends exact",
  async () => {
    const agent = startAgent();
    await untilConnected(agent);
    stack.sqlserver.setRowDelay(1);
    try {
      const runId = await slowRunUnderWay(agent);
      agent.signal("SIGSTOP");
      try {
        await Bun.sleep(between(100, 1500));
        await stallRun(runId);
      } finally {
        agent.signal("SIGCONT");
      }
      stack.sqlserver.setRowDelay(0);
      await expectCompletedAndCounted(runId);
    } finally {
      stack.sqlserver.setRowDelay(0);
    }
    await expectExact(stack, "woken agent", exactness);
    await agent.stop();
    agents.splice(agents.indexOf(agent), 1);
  },
  180_000,
);

test(
  "an agent gone for good: its run stalls, and the next agent start resumes it exact",
  async () => {
    await changePlanillas(stack, between(5, 15), random);
    const home = newAgentHome();
    const first = startAgent(home);
    await untilConnected(first);
    stack.sqlserver.setRowDelay(1);
    try {
      const runId = await slowRunUnderWay(first);
      first.signal("SIGSTOP");
      await stallRun(runId);
      await first.crash();
      stack.sqlserver.setRowDelay(0);
      // The service manager starts the agent again: it resumes the run a stop left behind.
      const next = startAgent(home);
      await until(
        "the run to be resumed",
        () => next.output.includes(`run ${runId}: resumed after`),
        30_000,
        () => next.output,
      );
      await expectCompletedAndCounted(runId);
    } finally {
      stack.sqlserver.setRowDelay(0);
    }
    await expectExact(stack, "resumed after a stall", exactness);
  },
  180_000,
);
