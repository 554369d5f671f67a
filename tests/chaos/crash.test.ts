// Chaos: the agent daemon is SIGKILLed at random points of one FerraWin `all` sync and restarted each
// time. Every restart must resume the crashed run from the cursor the server holds (not start over),
// and at the end Postgres must equal the source table by table, with no duplicates and counts that add
// up: the run's counts are the sum of its accepted batches, the agent reported the same, every planilla
// was created once and re-sent ones count as unchanged.
//
// Crash points, chosen at random (seeded, CHAOS_SEED replays them):
//   startup     killed 50-1200 ms after the process started: before, during or right after the resume;
//   streaming   killed after the resumed run made durable progress, 0-2 batches later, 0-200 ms later;
//   in-flight   the next batch's answer is lost on the wire (it landed); killed before the retry.
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { type FaultProxy, startFaultProxy } from "../../devstack/src/faults/fault-proxy.ts";
import { newAgentHome } from "../../devstack/src/agent-process.ts";
import { bootStack, signIn, type Stack, uuid } from "../integration/support.ts";
import {
  batchCount,
  batchCountTotals,
  chaosSeed,
  checksums,
  difference,
  duplicateKeys,
  fullCounts,
  IS_CI,
  missingRows,
  postCommand,
  replicaLines,
  RestartableAgent,
  runRow,
  sourceLines,
  until,
} from "./support.ts";

const CRASH_POINTS = Number(process.env.CHAOS_CRASH_POINTS ?? (IS_CI ? 12 : 20));
const PLANILLAS = IS_CI ? 500 : 800;
/**
 * SQL Server answers each row this much later while crash points remain (a slow office LAN), so the
 * sync outlasts every crash point however fast the machine is; afterwards the rest goes at full speed.
 */
const ROW_DELAY_MS = 2;
const { seed, between } = chaosSeed("crash");

let stack: Stack;
let proxy: FaultProxy;
let sql: postgres.Sql;
let agent: RestartableAgent | null = null;

beforeAll(async () => {
  stack = await bootStack({ planillas: PLANILLAS, seed: seed % 1000 });
  proxy = await startFaultProxy({ target: stack.info.supabaseUrl });
  sql = postgres(stack.info.dbUrl, { max: 2, onnotice: () => {} });
}, 180_000);

afterAll(async () => {
  stack?.sqlserver.setRowDelay(0);
  await agent?.stop();
  await sql?.end();
  await proxy?.stop();
  await stack?.stop();
}, 60_000);

const cursorCode = (cursor: Record<string, unknown> | null | undefined) =>
  typeof cursor?.lastCode === "string" ? cursor.lastCode : null;

test(
  "a FerraWin sync killed at random points resumes each time and lands exactly",
  async () => {
    const home = newAgentHome();
    const env = {
      PUENTE_API_URL: `${proxy.url}/functions/v1/sync`,
      PUENTE_BATCH_PLANILLAS: "4",
      PUENTE_MAX_IN_FLIGHT: "3",
      PUENTE_REQUEST_TIMEOUT_SECONDS: "10",
    };
    const context = () => agent?.output ?? "";
    const token = await signIn(stack.info, "admin");

    stack.sqlserver.setRowDelay(ROW_DELAY_MS);
    agent = new RestartableAgent(stack, home, env);
    agent.start();
    const answer = await postCommand(stack, token, {
      requestId: uuid(),
      action: "start",
      params: { mode: "all" },
    });
    expect(answer.status).toBe(201);
    let runId = "";
    await until(
      "the run to start",
      async () => {
        const [row] = await sql<{ id: string }[]>`
        select id from public.runs where command_id = ${answer.body.commandId}`;
        runId = row?.id ?? "";
        return runId !== "" && (await batchCount(sql, runId)) > 0;
      },
      60_000,
      context,
    );

    const kinds = { startup: 0, streaming: 0, "in-flight": 0 };
    const plan = Array.from(
      { length: CRASH_POINTS },
      (_, i) =>
        i === 0
          ? "streaming" as const
          : (["startup", "streaming", "streaming", "in-flight"] as const)[
            between(0, 3)
          ]!,
    );
    let resumesChecked = 0;
    let crashes = 0;
    let cursorAtCrash: string | null = null;
    const isFinished = async () => (await runRow(sql, runId))?.status === "completed";
    const resumeLine = new RegExp(`run ${runId}: resumed after (?:planilla (\\S+)|the beginning)`);
    /** The process started after a crash must continue this run after the server's cursor. */
    let isResumeChecked = true;
    const checkResume = (point: number) => {
      if (isResumeChecked) return;
      const resumed = resumeLine.exec(agent!.output);
      if (!resumed) return;
      expect({ point, resumedAfter: resumed[1] ?? null }).toEqual({
        point,
        resumedAfter: cursorAtCrash,
      });
      isResumeChecked = true;
      resumesChecked++;
    };

    for (const [point, kind] of plan.entries()) {
      if (await isFinished()) break;
      if (kind === "startup") {
        await Bun.sleep(between(50, 1200));
      } else if (kind === "streaming") {
        // Durable progress first (the server's cursor moved), so the sync moves forward across crashes.
        const from = cursorCode((await runRow(sql, runId))?.cursor);
        await until(
          "the resumed run to move its cursor",
          async () => {
            const row = await runRow(sql, runId);
            return row?.status === "completed" || cursorCode(row?.cursor) !== from;
          },
          60_000,
          context,
        );
        const target = (await batchCount(sql, runId)) + between(0, 2);
        await until(
          "more batches",
          async () => {
            return (await batchCount(sql, runId)) >= target || (await isFinished());
          },
          60_000,
          context,
        );
        await Bun.sleep(between(0, 200));
      } else {
        const lost = proxy.stats().faulted.lost_response;
        const landed = await batchCount(sql, runId);
        proxy.setPlan({
          faults: ["lost_response"],
          next: 1,
          paths: [`/functions/v1/sync/agent/runs/${runId}/batches`],
          seed,
        });
        await until(
          "a batch whose answer is lost",
          async () => {
            return proxy.stats().faulted.lost_response > lost || (await isFinished());
          },
          60_000,
          context,
        );
        // It landed: the database has it, the agent does not know yet.
        await until(
          "the lost batch to land",
          async () => {
            return (await batchCount(sql, runId)) > landed || (await isFinished());
          },
          30_000,
          context,
        );
      }
      await agent.crash();
      proxy.setPlan(null);
      checkResume(point);
      crashes++;
      kinds[kind]++;
      if (await isFinished()) break;

      // A request of the killed process may still be finishing at the edge; let it land first.
      await Bun.sleep(150);
      cursorAtCrash = cursorCode((await runRow(sql, runId))?.cursor);
      agent = new RestartableAgent(stack, home, env);
      agent.start();
      isResumeChecked = false;
      if (plan[point + 1] !== "startup") {
        await until(
          "the restart to resume the run",
          () => resumeLine.test(agent!.output),
          30_000,
          context,
        );
      }
    }
    checkResume(CRASH_POINTS);
    stack.sqlserver.setRowDelay(0);

    await until("the run to complete", isFinished, 120_000, context);
    await agent.stop();

    const [want, got] = await Promise.all([sourceLines(stack), replicaLines(stack.info.dbUrl)]);
    const duplicated = await duplicateKeys(stack.info.dbUrl);
    const run = (await runRow(sql, runId))!;
    const fromBatches = await batchCountTotals(sql, runId);
    console.log(
      `chaos crash: ${crashes} crash points (${kinds.startup} at startup, ${kinds.streaming} ` +
        `streaming, ${kinds["in-flight"]} with a batch in flight), ${resumesChecked} resumes ` +
        `checked, ${fromBatches.batches} batches, ${fromBatches.counts.planillas?.unchanged} ` +
        `planillas re-sent, ${missingRows(want, got)} lost, ${duplicated} duplicated`,
    );
    expect(crashes).toBe(CRASH_POINTS);

    // One run, resumed across every crash: no second run was opened.
    const runs = await sql<{ id: string; status: string }[]>`
      select id, status from public.runs where source = 'ferrawin'`;
    expect([...runs]).toEqual([{ id: runId, status: "completed" }]);

    expect(difference(want, got)).toEqual({});
    expect(checksums(got)).toEqual(checksums(want));
    expect(duplicated).toBe(0);

    // Counts add up: the run's counts are its accepted batches' counts, the agent reported the same,
    // each source planilla and elemento was created exactly once, nothing was updated or deleted
    // (the source did not change), what was sent again after a crash counts as unchanged, and the
    // run's done equals the source's item count (a re-sent batch is not counted twice).
    expect(fullCounts(run.counts)).toEqual(fromBatches.counts);
    expect(fullCounts(run.reported_counts)).toEqual(fromBatches.counts);
    const planillas = fromBatches.counts.planillas!;
    const elementos = fromBatches.counts.elementos!;
    expect({ created: planillas.created, updated: planillas.updated, deleted: planillas.deleted })
      .toEqual({ created: want.planillas.length, updated: 0, deleted: 0 });
    expect({ created: elementos.created, updated: elementos.updated, deleted: elementos.deleted })
      .toEqual({ created: want.elementos.length, updated: 0, deleted: 0 });
    expect(planillas.rejected).toBeGreaterThanOrEqual(want.rejects);
    expect(run.total).toBe(want.planillas.length + want.rejects);
    expect(run.done).toBe(run.total ?? -1);
  },
  IS_CI ? 150_000 : 300_000,
);
