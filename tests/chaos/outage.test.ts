// Chaos: the API goes away in the middle of a run for longer than one request's whole retry budget, as
// when the office's internet or Supabase is down for half an hour. Every connection to it is refused
// (the fault proxy in front of it is stopped), then it comes back on the same address. The run must
// wait ("waiting for the API", in the log and in `status`), then continue from its cursor and end
// exact: nothing missing, nothing twice. Scaled down: quick retries of about 1.5 s, an outage of 8 s,
// an outage budget of 120 s (the default is 45 minutes, checked in agent/src/sink/outage.test.ts).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { type FaultProxy, startFaultProxy } from "../../devstack/src/faults/fault-proxy.ts";
import { agentSpawnOptions, newAgentHome } from "../../devstack/src/agent-process.ts";
import { bootStack, signIn, type Stack, uuid } from "../integration/support.ts";
import {
  batchCount,
  batchCountTotals,
  chaosSeed,
  expectExact,
  fullCounts,
  postCommand,
  RestartableAgent,
  runRow,
  until,
  untilConnected,
} from "./support.ts";

const { seed } = chaosSeed("outage");
const OUTAGE_MS = 8_000;
/** The quick retries: 2 retries after 0.5 s and 1 s (ky doubles, with jitter), 2 s per attempt. */
const QUICK_RETRIES = { PUENTE_RETRY_LIMIT: "2", PUENTE_REQUEST_TIMEOUT_SECONDS: "2" };
const QUICK_BUDGET_MS = 2 * 3 * 1000 + 1500;

let stack: Stack;
let proxy: FaultProxy | null = null;
let sql: postgres.Sql;
const exactness = { lost: 0, duplicated: 0 };

beforeAll(async () => {
  stack = await bootStack({ planillas: 150, seed: seed % 1000, wisproClients: 5 });
  proxy = await startFaultProxy({ target: stack.info.supabaseUrl });
  sql = postgres(stack.info.dbUrl, { max: 2, onnotice: () => {} });
}, 180_000);

afterAll(async () => {
  console.log(`chaos outage: ${exactness.lost} lost, ${exactness.duplicated} duplicated`);
  await sql?.end();
  await proxy?.stop();
  await stack?.stop();
}, 60_000);

describe("an API outage longer than a request's retries", () => {
  let agent: RestartableAgent;
  let home: string;

  beforeAll(async () => {
    home = newAgentHome();
    agent = new RestartableAgent(stack, home, {
      PUENTE_API_URL: `${proxy!.url}/functions/v1/sync`,
      ...QUICK_RETRIES,
      PUENTE_OUTAGE_WAIT_SECONDS: "120",
      PUENTE_BATCH_PLANILLAS: "2",
      PUENTE_MAX_IN_FLIGHT: "2",
      PUENTE_HEARTBEAT_SECONDS: "2",
    });
    agent.start();
    await untilConnected(agent, "the daemon to connect");
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
  }, 30_000);

  test(
    "the run waits, says so, and continues from its cursor with no gap and no duplicate",
    async () => {
      expect(OUTAGE_MS).toBeGreaterThan(QUICK_BUDGET_MS);
      const token = await signIn(stack.info, "admin");
      const answer = await postCommand(stack, token, {
        requestId: uuid(),
        action: "start",
        source: "ferrawin",
        params: { mode: "all" },
      });
      expect(answer.status).toBe(201);
      const commandId = answer.body.commandId as string;

      // Cut the API off once the run has stored a few batches: mid-run.
      let runId = "";
      await until(
        "the run's first batches",
        async () => {
          const [row] = await sql<{ id: string }[]>`
        select id from public.runs where command_id = ${commandId}`;
          runId = row?.id ?? "";
          return runId !== "" && await batchCount(sql, runId) >= 3;
        },
        60_000,
        () => agent.output,
      );
      const port = proxy!.port;
      await proxy!.stop();
      proxy = null;
      const cutAt = Date.now();
      const storedAtCut = await batchCount(sql, runId);
      expect((await runRow(sql, runId))!.status).toBe("running");

      // While it is away the agent is waiting, visibly: its log and `status` say so.
      await until(
        "the agent to say it is waiting for the API",
        () => agent.output.includes("waiting for the API"),
        OUTAGE_MS,
        () => agent.output,
      );
      const status = Bun.spawnSync({
        ...agentSpawnOptions(stack.info, ["status", "--json"], home, {
          PUENTE_API_URL: `http://127.0.0.1:${port}/functions/v1/sync`,
        }),
        stdout: "pipe",
        stderr: "pipe",
      });
      const shown = JSON.parse(status.stdout.toString());
      expect(shown.agentProcess).not.toBeNull();
      expect(shown.waitingForApi).toMatchObject({ pid: shown.agentProcess.pid });
      expect(shown.waitingForApi.route).toContain(`agent/runs/${runId}`);
      // Batches the proxy had already forwarded when it stopped may still land; after that, nothing.
      await Bun.sleep(500);
      const storedWhileAway = await batchCount(sql, runId);
      expect(storedWhileAway).toBeGreaterThanOrEqual(storedAtCut);

      const left = OUTAGE_MS - (Date.now() - cutAt);
      if (left > 0) await Bun.sleep(left);
      // Nothing got through while it was away, and the run did not give up.
      expect(await batchCount(sql, runId)).toBe(storedWhileAway);
      expect((await runRow(sql, runId))!.status).toBe("running");

      proxy = await startFaultProxy({ target: stack.info.supabaseUrl, port });
      await until(
        "the run to end",
        async () =>
          ["completed", "failed", "cancelled"].includes((await runRow(sql, runId))!.status),
        120_000,
        () => agent.output,
      );
      const run = (await runRow(sql, runId))!;
      expect({ status: run.status, error: run.error }).toEqual({
        status: "completed",
        error: null,
      });
      expect(agent.output).toContain("the API answers again");

      // Exact: the replica equals the source, no batch was stored twice, and the counts add up.
      await expectExact(stack, "after the outage", exactness);
      const totals = await batchCountTotals(sql, runId);
      expect(fullCounts(run.counts)).toEqual(totals.counts);
      expect(run.done).toBe(run.total ?? -1);
      const [dupes] = await sql<{ n: number }[]>`
      select count(*)::int as n from (select seq from public.ingest_batches where run_id = ${runId}
        group by seq having count(*) > 1) d`;
      expect(dupes?.n).toBe(0);
    },
    240_000,
  );
});
