// Chaos: the network between the agent and everything it talks to misbehaves. Edge requests meet
// seeded random 5xx, hangs, dropped connections, lost answers and duplicated deliveries; the Pusher
// server restarts mid-run; SQL Server drops mid-result; Wispro answers with random faults. Each run
// ends exact, or failed with a clear message and nothing half-written.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import {
  FAULT_KINDS,
  type FaultProxy,
  startFaultProxy,
} from "../../devstack/src/faults/fault-proxy.ts";
import { newAgentHome } from "../../devstack/src/agent-process.ts";
import { startPusherServer } from "../../devstack/src/pusher/server.ts";
import {
  bootStack,
  signIn,
  type Stack,
  subscribed,
  tableChecksums,
  uuid,
  webClient,
} from "../integration/support.ts";
import {
  batchCountTotals,
  changePlanillas,
  chaosSeed,
  commandRunEnded,
  duplicateKeys,
  expectExact,
  fullCounts,
  halfWrittenPlanillas,
  IS_CI,
  planillaGroups,
  postCommand,
  replicaLines,
  RestartableAgent,
  runRow,
  type SyncOutcome,
  TERMINAL,
  until,
  untilConnected,
} from "./support.ts";

const { seed, random, between } = chaosSeed("network");
const injected: Record<string, number> = {};
const count = (kind: string, n = 1) => {
  injected[kind] = (injected[kind] ?? 0) + n;
};

let stack: Stack;
let proxy: FaultProxy;
let sql: postgres.Sql;
const exactness = { lost: 0, duplicated: 0 };
let halfWritten = 0;
/** The Pusher server started again on the same port; stopped with the stack. */
let restartedPusher: Awaited<ReturnType<typeof startPusherServer>> | null = null;

beforeAll(async () => {
  stack = await bootStack({ planillas: IS_CI ? 120 : 200, seed: seed % 1000, wisproClients: 60 });
  proxy = await startFaultProxy({ target: stack.info.supabaseUrl });
  sql = postgres(stack.info.dbUrl, { max: 2, onnotice: () => {} });
}, 180_000);

afterAll(async () => {
  const total = Object.values(injected).reduce((a, b) => a + b, 0);
  const kinds = Object.entries(injected).map(([k, n]) => `${k} ${n}`).join(", ");
  console.log(
    `chaos network: ${total} faults injected (${kinds}), ${exactness.lost} lost, ${halfWritten} half-written`,
  );
  await sql?.end();
  await proxy?.stop();
  await restartedPusher?.stop();
  await stack?.stop();
}, 60_000);

/** The agent's environment: every edge request through the fault proxy, short timeouts, small batches. */
const throughProxy = (extra: Record<string, string> = {}) => ({
  PUENTE_API_URL: `${proxy.url}/functions/v1/sync`,
  PUENTE_REQUEST_TIMEOUT_SECONDS: "2",
  PUENTE_RETRY_LIMIT: "8",
  PUENTE_BATCH_PLANILLAS: "5",
  ...extra,
});

/**
 * Nothing half-written: every stored planilla is whole, either as it was before the run (`before`) or
 * as the source has it now, never a mix of the two.
 */
async function expectWholePlanillas(label: string, before: Map<string, string>) {
  const mixed = await halfWrittenPlanillas(stack, before);
  halfWritten += mixed.length;
  expect({ label, mixed }).toEqual({ label, mixed: [] });
  expect(await duplicateKeys(stack.info.dbUrl)).toBe(0);
}

/** A finished run's counts are its accepted batches' counts, and the agent reported the same. */
async function expectCountsAddUp(outcome: SyncOutcome) {
  const run = (await runRow(sql, outcome.runId))!;
  const fromBatches = await batchCountTotals(sql, outcome.runId);
  expect(fullCounts(run.counts)).toEqual(fromBatches.counts);
  expect(fullCounts(run.reported_counts)).toEqual(fromBatches.counts);
  expect(fullCounts(outcome.counts)).toEqual(fromBatches.counts);
  expect(run.done).toBe(run.total ?? -1);
  return fromBatches.counts;
}

function tally(before: ReturnType<FaultProxy["stats"]>) {
  const after = proxy.stats();
  for (const kind of FAULT_KINDS) count(`edge ${kind}`, after.faulted[kind] - before.faulted[kind]);
}

/** Enqueues a start through the edge, as the web does, and waits for its run to end. */
async function runCommand(
  agent: RestartableAgent,
  token: string,
  params: Record<string, unknown>,
  source = "ferrawin",
  ms = 120_000,
) {
  const answer = await postCommand(stack, token, {
    requestId: uuid(),
    action: "start",
    source,
    params,
  });
  expect(answer.status).toBe(201);
  const commandId = answer.body.commandId as string;
  const run = await commandRunEnded(
    sql,
    commandId,
    `the run of ${JSON.stringify(params)} to end`,
    ms,
    () => agent.output,
  );
  return { commandId, run };
}

/** The outcome shape of a finished run, read from the database. */
const outcomeOf = (run: NonNullable<Awaited<ReturnType<typeof runRow>>>): SyncOutcome => ({
  runId: run.id,
  status: run.status,
  done: run.done,
  total: run.total,
  error: run.error,
  counts: run.reported_counts,
});

describe("network chaos, one agent daemon throughout", () => {
  let agent: RestartableAgent;
  let token: string;

  beforeAll(async () => {
    token = await signIn(stack.info, "admin");
    agent = new RestartableAgent(
      stack,
      newAgentHome(),
      throughProxy({
        PUENTE_CLAIM_INTERVAL_SECONDS: "5",
        PUENTE_HEARTBEAT_SECONDS: "2",
        WISPRO_PER_PAGE: "5",
        WISPRO_TIMEOUT_SECONDS: "2",
      }),
    );
    agent.start();
    await untilConnected(agent, "the daemon to connect");
    // Let the startup claims finish, so a test's fault plan meets only the claims it causes.
    await Bun.sleep(1000);
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
  }, 30_000);

  test(
    "random 5xx, hangs, drops, lost answers and duplicates on agent requests: syncs end exact",
    async () => {
      const ferrawin = postgres(stack.ferrawinUrl, { max: 1, onnotice: () => {} });
      try {
        const rounds = [
          { mode: "all", change: false },
          { mode: "all", change: false },
          { mode: "incremental", change: true },
        ];
        for (const [round, { mode, change }] of rounds.entries()) {
          if (change) {
            // A few planillas change in FerraWin, so the round has updates to carry, not only creates.
            await ferrawin`update ferrawin.ord_bar set zcantidad = zcantidad + 1
              where (zconta, zcodigo) in (select zconta, zcodigo from ferrawin.ord_head
                order by zconta, zcodigo limit 5)`;
          }
          const before = proxy.stats();
          proxy.setPlan({
            faults: FAULT_KINDS,
            rate: 0.2,
            // Every agent route but the claim: a claim whose answer is lost is delivered again
            // only after a minute, which the lost-claim test below covers without the wait.
            paths: [
              "/functions/v1/sync/agent/runs",
              "/functions/v1/sync/agent/heartbeat",
              "/functions/v1/sync/agent/fingerprints",
              "/functions/v1/sync/pusher/",
            ],
            seed: seed + round,
          });
          let finished;
          try {
            finished = await runCommand(agent, token, { mode }, "ferrawin", 180_000);
          } finally {
            proxy.setPlan(null);
            tally(before);
          }
          const { run } = finished;
          expect({ round, status: run.status, error: run.error }).toEqual({
            round,
            status: "completed",
            error: null,
          });
          const want = await expectExact(stack, `round ${round}`, exactness);
          const counts = await expectCountsAddUp(outcomeOf(run));
          if (round === 0) expect(counts.planillas?.created).toBe(want.planillas.length);
          if (round === 1) expect(counts.planillas?.created ?? 0).toBe(0);
          if (round === 2) {
            expect(counts.planillas?.updated).toBeGreaterThan(0);
            expect(counts.planillas?.created ?? 0).toBe(0);
          }
        }
      } finally {
        await ferrawin.end();
      }
    },
    IS_CI ? 240_000 : 400_000,
  );

  test(
    "the answer to opening a run is lost, or the open is delivered twice: the run goes on",
    async () => {
      for (const fault of ["lost_response", "duplicate"] as const) {
        const before = proxy.stats();
        proxy.setPlan({ faults: [fault], next: 1, paths: ["/functions/v1/sync/agent/runs"] });
        const { run } = await runCommand(agent, token, { mode: "all" });
        proxy.setPlan(null);
        tally(before);
        expect(proxy.stats().faulted[fault]).toBe(before.faulted[fault] + 1);
        expect({ fault, status: run.status, error: run.error })
          .toEqual({ fault, status: "completed", error: null });
        await expectExact(stack, `open ${fault}`, exactness);
        await expectCountsAddUp(outcomeOf(run));
      }
      // No orphan: every run of this source ended.
      const [open] = await sql<{ n: number }[]>`select count(*)::int as n from public.runs
      where source = 'ferrawin' and status not in ('completed', 'failed', 'cancelled')`;
      expect(open?.n).toBe(0);
    },
    120_000,
  );

  test("the answer to a claim is lost: the start is delivered again and runs once", async () => {
    const before = proxy.stats();
    // Every claim's answer is lost until the one that took the command.
    proxy.setPlan({
      faults: ["lost_response"],
      rate: 1,
      paths: ["/functions/v1/sync/agent/commands/claim"],
    });
    let commandId = "";
    try {
      const answer = await postCommand(stack, token, {
        requestId: uuid(),
        action: "start",
        params: { mode: "incremental" },
      });
      expect(answer.status).toBe(201);
      commandId = answer.body.commandId as string;
      await until("the claim whose answer is lost", async () => {
        const [row] = await sql<{ status: string }[]>`
          select status from public.commands where id = ${commandId}`;
        return row?.status === "claimed";
      }, 30_000);
    } finally {
      proxy.setPlan(null);
      tally(before);
    }
    await Bun.sleep(500);
    expect(await sql`select 1 from public.runs where command_id = ${commandId}`).toHaveLength(0);
    // A minute passes (the claim's lease), without waiting for it.
    await sql`update public.commands set claimed_at = now() - interval '2 minutes' where id = ${commandId}`;
    await until(
      "the start to run after all",
      async () => {
        const rows = await sql<
          { status: string }[]
        >`select status from public.runs where command_id = ${commandId}`;
        return rows.length === 1 && TERMINAL.includes(rows[0]!.status);
      },
      60_000,
      () => agent.output,
    );
    const runs = await sql<
      { status: string }[]
    >`select status from public.runs where command_id = ${commandId}`;
    expect([...runs]).toEqual([{ status: "completed" }]);
    await expectExact(stack, "lost claim", exactness);
  }, 120_000);

  test(
    "the Pusher server restarts mid-run: agent and web reconnect, the run ends exact",
    async () => {
      const web = webClient(stack.info, token);
      const status = web.subscribe("private-sync-status");
      await subscribed(status);
      const finished: { runId: string; status: string }[] = [];
      status.bind(
        "run.finished",
        (event: { runId: string; status: string }) => finished.push(event),
      );
      let webConnections = 0;
      web.connection.bind("connected", () => webConnections++);
      const agentConnections = () => agent.output.split("→ connected").length - 1;

      // Slow enough that the run cannot end while the clients are still reconnecting (pusher-js
      // may take 15 s: its 10 s unavailable timeout, then a retry); back to full speed once they are.
      stack.sqlserver.setRowDelay(15);
      let commandId = "";
      try {
        const answer = await postCommand(stack, token, {
          requestId: uuid(),
          action: "start",
          params: { mode: "all" },
        });
        commandId = answer.body.commandId as string;
        await until(
          "the run to be running",
          async () => {
            const [row] = await sql<{ status: string }[]>`
          select status from public.runs where command_id = ${commandId}`;
            return row?.status === "running";
          },
          30_000,
          () => agent.output,
        );
        const agentBefore = agentConnections();
        const webBefore = webConnections;
        const { appId, key, secret, port } = stack.pusher;
        await stack.pusher.stop();
        count("pusher restart");
        await Bun.sleep(between(200, 1500));
        restartedPusher = await startPusherServer({ appId, key, secret, port });
        const [row] = await sql<{ status: string }[]>`
        select status from public.runs where command_id = ${commandId}`;
        expect(row?.status).toBe("running");
        await until(
          "the agent to reconnect",
          () => agentConnections() > agentBefore,
          60_000,
          () => agent.output,
        );
        await until("the web client to reconnect", () => webConnections > webBefore, 60_000);
        await until("the web client to resubscribe", () => status.subscribed, 20_000);
        const [after] = await sql<{ status: string }[]>`
        select status from public.runs where command_id = ${commandId}`;
        // Otherwise run.finished was broadcast while nobody was subscribed, and proves nothing.
        expect(after?.status).toBe("running");
      } finally {
        stack.sqlserver.setRowDelay(0);
      }
      const run = await commandRunEnded(
        sql,
        commandId,
        "the run to end",
        120_000,
        () => agent.output,
      );
      expect({ status: run.status, error: run.error }).toEqual({
        status: "completed",
        error: null,
      });
      await expectExact(stack, "pusher restart", exactness);
      await expectCountsAddUp(outcomeOf(run));
      // Events flow through the restarted server to the web client.
      await until("run.finished to reach the web client", () => {
        return finished.some((event) => event.runId === run.id);
      }, 20_000);
      web.disconnect();
    },
    180_000,
  );

  test("SQL Server drops mid-result: the run continues by itself and lands exact", async () => {
    const before = planillaGroups(await replicaLines(stack.info.dbUrl));
    await changePlanillas(stack, 8, random);
    const rows = between(30, 250);
    stack.sqlserver.dropAfterRows(rows, { once: true });
    count("sqlserver drop");
    const dropsBefore = stack.sqlserver.stats().droppedConnections;
    let finished;
    try {
      finished = await runCommand(agent, token, { mode: "all" });
    } finally {
      stack.sqlserver.dropAfterRows(null);
    }
    expect(stack.sqlserver.stats().droppedConnections).toBe(dropsBefore + 1);
    expect(agent.output).toMatch(
      new RegExp(
        `run ${finished.run.id}: .*connection to SQL Server.*; (continuing after|counting again)`,
      ),
    );
    expect({ rows, status: finished.run.status, error: finished.run.error })
      .toEqual({ rows, status: "completed", error: null });
    await expectWholePlanillas("sql drop", before);
    await expectExact(stack, "sql drop", exactness);
    const counts = await expectCountsAddUp(outcomeOf(finished.run));
    // The run carried changes (updates, or creates when this test runs alone).
    expect((counts.planillas?.updated ?? 0) + (counts.planillas?.created ?? 0)).toBeGreaterThan(0);
  }, 120_000);

  test(
    "SQL Server keeps dropping: the run fails with a clear message, nothing half-written",
    async () => {
      const before = planillaGroups(await replicaLines(stack.info.dbUrl));
      await changePlanillas(stack, 8, random);
      const rows = between(30, 250);
      stack.sqlserver.dropAfterRows(rows);
      count("sqlserver drop", 4);
      let finished;
      try {
        finished = await runCommand(agent, token, { mode: "all" });
      } finally {
        stack.sqlserver.dropAfterRows(null);
      }
      expect(finished.run.status).toBe("failed");
      expect(finished.run.error?.message).toMatch(/connection to SQL Server at .+ was lost/);
      await expectWholePlanillas("sql keeps dropping", before);
      // Once SQL Server is back, the next sync lands everything.
      const again = await runCommand(agent, token, { mode: "incremental" });
      expect(again.run.status).toBe("completed");
      await expectExact(stack, "after the drops", exactness);
    },
    180_000,
  );

  test(
    "random Wispro faults: each sync ends exact, or fails clearly with customers unchanged",
    async () => {
      const healing = [
        (page: number) => stack.wispro.faults.rateLimit(1, 1, { page }),
        (page: number) => stack.wispro.faults.serverErrors(1, 503, { page }),
        (page: number) => stack.wispro.faults.hang(1, { page }),
        (page: number) => stack.wispro.faults.truncateJson(1, { page }),
      ];
      const names = ["wispro 429", "wispro 503", "wispro hang", "wispro truncated json"];
      const rounds = IS_CI ? 3 : 4;
      for (let round = 0; round < rounds; round++) {
        const customersBefore = (await tableChecksums(stack.info.dbUrl))["public.customers"];
        // Round 0 also meets a refusal that no retry heals (a body-level 401 on some page).
        const isFatal = round === 0;
        const pages = 12;
        for (let i = 0; i < between(2, 4); i++) {
          const kind = between(0, healing.length - 1);
          healing[kind]!(between(1, pages));
          count(names[kind]!);
        }
        if (isFatal) {
          stack.wispro.faults.bodyStatus(1, 401, { page: between(1, pages) });
          count("wispro body 401");
        }
        let finished;
        try {
          finished = await runCommand(agent, token, { mode: "full" }, "wispro", 120_000);
        } finally {
          stack.wispro.faults.reset();
        }
        const { run } = finished;
        if (isFatal) {
          expect({ round, status: run.status }).toEqual({ round, status: "failed" });
          expect(run.error?.message).toMatch(/WISPRO_API_TOKEN/);
          expect((await tableChecksums(stack.info.dbUrl))["public.customers"]).toBe(
            customersBefore,
          );
          continue;
        }
        expect({ round, status: run.status, error: run.error }).toEqual({
          round,
          status: "completed",
          error: null,
        });
        await expectCountsAddUp(outcomeOf(run));
        // Exact: a clean sync right after finds nothing to create or update.
        const clean = await runCommand(agent, token, { mode: "full" }, "wispro");
        const counts = fullCounts(clean.run.counts).customers;
        expect({
          round,
          status: clean.run.status,
          created: counts?.created,
          updated: counts?.updated,
        })
          .toEqual({ round, status: "completed", created: 0, updated: 0 });
        expect(await duplicateKeys(stack.info.dbUrl)).toBe(0);
      }
    },
    IS_CI ? 150_000 : 240_000,
  );
});
