// Chaos: people and agents acting at the same time. A double-clicked start makes one command; two
// browsers starting at once make one run and a clear conflict; two agent processes with the same key
// never run the same command twice; pause and cancel racing a run's last batch leave it in a
// consistent terminal state whose counts match its batches, with every planilla whole.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { newAgentHome } from "../../devstack/src/agent-process.ts";
import { bootStack, signIn, type Stack, uuid } from "../integration/support.ts";
import {
  batchCount,
  batchCountTotals,
  changePlanillas,
  chaosSeed,
  commandRunEnded,
  expectExact,
  fullCounts,
  halfWrittenPlanillas,
  IS_CI,
  planillaGroups,
  postCommand,
  replicaLines,
  RestartableAgent,
  runEnded,
  runRow,
  TERMINAL,
  until,
  untilConnected,
} from "./support.ts";

const { seed, random, between } = chaosSeed("concurrency");
const tried: Record<string, number> = {};
const count = (what: string) => {
  tried[what] = (tried[what] ?? 0) + 1;
};

let stack: Stack;
let sql: postgres.Sql;
let admin: string;
let staff: string;
const agents: RestartableAgent[] = [];
const exactness = { lost: 0, duplicated: 0 };

const agentEnv = { PUENTE_BATCH_PLANILLAS: "3", PUENTE_CLAIM_INTERVAL_SECONDS: "5" };

beforeAll(async () => {
  stack = await bootStack({ planillas: IS_CI ? 120 : 180, seed: seed % 1000 });
  sql = postgres(stack.info.dbUrl, { max: 2, onnotice: () => {} });
  [admin, staff] = await Promise.all([signIn(stack.info, "admin"), signIn(stack.info, "staff")]);
  await untilConnected(startAgent());
}, 180_000);

afterAll(async () => {
  console.log(
    `chaos concurrency: ${
      Object.entries(tried).map(([what, n]) => `${n} ${what}`).join(", ")
    }, ${exactness.lost} lost, ${exactness.duplicated} duplicated`,
  );
  for (const agent of agents) await agent.stop();
  await sql?.end();
  await stack?.stop();
}, 60_000);

function startAgent(): RestartableAgent {
  const agent = new RestartableAgent(stack, newAgentHome(), agentEnv);
  agent.start();
  agents.push(agent);
  return agent;
}

/** Stops an agent a test started and forgets it, so the next tests have the one agent there was. */
async function retire(agent: RestartableAgent) {
  await agent.stop();
  agents.splice(agents.indexOf(agent), 1);
}

const output = () => agents.map((a, i) => `--- agent ${i}\n${a.output.slice(-1500)}`).join("\n");

async function runOf(commandId: string) {
  const [row] = await sql<{ id: string; status: string }[]>`
    select id, status from public.runs where command_id = ${commandId}`;
  return row;
}

const waitForRunEnd = (commandId: string) =>
  commandRunEnded(sql, commandId, `the run of command ${commandId} to end`, 90_000, output);

/** Every planilla item the accepted batches carried (sent, with or without changes, or refused). */
const itemsIn = (
  counts: Record<string, { created: number; updated: number; unchanged: number; rejected: number }>,
) => {
  const p = counts.planillas;
  return p ? p.created + p.updated + p.unchanged + p.rejected : 0;
};

describe("concurrency", () => {
  test("a double-clicked start makes one command and one run", async () => {
    const rounds = IS_CI ? 3 : 5;
    for (let round = 0; round < rounds; round++) {
      const requestId = uuid();
      const start = {
        requestId,
        action: "start",
        params: { mode: round === 0 ? "all" : "incremental" },
      };
      const clicks = between(2, 4);
      const answers = await Promise.all(
        Array.from({ length: clicks }, async (_, i) => {
          await Bun.sleep(i === 0 ? 0 : between(0, 30));
          return await postCommand(stack, admin, start);
        }),
      );
      count("double-clicked starts");
      const ids = new Set(answers.map((a) => a.body.commandId));
      // One answer created the command (201); every other click got it back as a duplicate (200).
      expect({ round, statuses: answers.map((a) => a.status).sort(), ids: ids.size }).toEqual({
        round,
        statuses: [...Array(clicks - 1).fill(200), 201],
        ids: 1,
      });
      expect(answers.filter((a) => a.body.duplicate === true)).toHaveLength(clicks - 1);
      const commandId = [...ids][0] as string;
      const rows = await sql`select 1 from public.commands where request_id = ${requestId}`;
      expect(rows).toHaveLength(1);
      const run = await waitForRunEnd(commandId);
      expect(run.status).toBe("completed");
      expect(await sql`select 1 from public.runs where command_id = ${commandId}`).toHaveLength(1);
    }
    await expectExact(stack, "double click", exactness);
  }, 180_000);

  test("two browsers start at once: one run, the other gets a clear conflict", async () => {
    const rounds = IS_CI ? 3 : 5;
    for (let round = 0; round < rounds; round++) {
      const tokens = random() < 0.5 ? [admin, staff] : [staff, admin];
      const answers = await Promise.all(tokens.map(async (token, i) => {
        await Bun.sleep(i === 0 ? 0 : between(0, 20));
        return await postCommand(stack, token, {
          requestId: uuid(),
          action: "start",
          params: { mode: "incremental" },
        });
      }));
      count("simultaneous starts");
      const accepted = answers.filter((a) => a.status === 201);
      const refused = answers.filter((a) => a.status !== 201);
      expect({ round, accepted: accepted.length, refused: refused.map((a) => a.status) })
        .toEqual({ round, accepted: 1, refused: [409] });
      expect(refused[0]!.body.error.message).toMatch(/already running or waiting/);
      const run = await waitForRunEnd(accepted[0]!.body.commandId);
      expect(run.status).toBe("completed");
      const active =
        await sql`select 1 from public.runs where status in ('queued', 'running', 'paused')`;
      expect(active).toHaveLength(0);
    }
  }, 180_000);

  test(
    "two agent processes with the same key: each command runs once, the end is exact",
    async () => {
      const second = startAgent();
      await untilConnected(second, "the second agent to connect");
      const rounds = IS_CI ? 3 : 4;
      for (let round = 0; round < rounds; round++) {
        await changePlanillas(stack, 5, random);
        const answer = await postCommand(stack, round % 2 ? staff : admin, {
          requestId: uuid(),
          action: "start",
          params: { mode: round === 0 ? "all" : "incremental" },
        });
        expect(answer.status).toBe(201);
        count("starts with two agents listening");
        const commandId = answer.body.commandId as string;
        const run = await waitForRunEnd(commandId);
        expect(run.status).toBe("completed");
        const takers = agents.filter((a) => a.output.includes(`command ${commandId}: start`));
        expect(takers).toHaveLength(1);
        expect(await sql`select 1 from public.runs where command_id = ${commandId}`).toHaveLength(
          1,
        );
        const fromBatches = await batchCountTotals(sql, run.id);
        expect(fullCounts(run.counts)).toEqual(fromBatches.counts);
      }
      await expectExact(stack, "two agents", exactness);
      // Controls go to whichever process claims them; the races below need the one agent there is.
      await retire(second);
    },
    180_000,
  );

  // The idle process has no local record of the run; the database counts the cancelled run's done
  // from the batches that committed before the cancel, so it matches them whoever cancels.
  test(
    "two processes with one key: a cancel claimed by the idle one leaves counts that match",
    async () => {
      const second = startAgent();
      await untilConnected(second, "the second agent to connect");
      const owner = agents[0]!;
      stack.sqlserver.setRowDelay(2);
      try {
        const start = await postCommand(stack, admin, {
          requestId: uuid(),
          action: "start",
          params: { mode: "all" },
        });
        await until(
          "the run to be under way",
          async () => {
            const run = await runOf(start.body.commandId);
            return run !== undefined && (await batchCountTotals(sql, run.id)).batches > 3;
          },
          30_000,
          output,
        );
        const runId = (await runOf(start.body.commandId))!.id;
        const streaming = agents.find((a) => a.output.includes(`command ${start.body.commandId}`))!;
        const idle = streaming === owner ? second : owner;
        streaming.signal("SIGSTOP"); // so that the idle process is the one to claim the cancel
        try {
          await postCommand(stack, admin, {
            requestId: uuid(),
            action: "cancel",
            params: { runId },
          });
          await until(
            "the cancel to be claimed",
            () => idle.output.includes(": cancel ferrawin"),
            20_000,
          );
        } finally {
          streaming.signal("SIGCONT");
        }
        stack.sqlserver.setRowDelay(0);
        const run = await runEnded(sql, runId, "the run to end", 60_000, output);
        expect(run.status).toBe("cancelled");
        expect(run.done).toBe(itemsIn((await batchCountTotals(sql, runId)).counts));
      } finally {
        stack.sqlserver.setRowDelay(0);
        await retire(second);
      }
    },
    120_000,
  );

  test("pause and cancel racing the last batch end consistent and whole", async () => {
    // A reference run: how many batches an `all` run takes here.
    const reference = await postCommand(stack, admin, {
      requestId: uuid(),
      action: "start",
      params: { mode: "all" },
    });
    expect(reference.status).toBe(201);
    const referenceRun = await waitForRunEnd(reference.body.commandId);
    const batches = (await batchCountTotals(sql, referenceRun.id)).batches;
    expect(batches).toBeGreaterThan(5);

    const rounds = IS_CI ? 4 : 6;
    const outcomes: Record<string, number> = {};
    for (let round = 0; round < rounds; round++) {
      const action = round % 2 === 0 ? "pause" : "cancel";
      const before = planillaGroups(await replicaLines(stack.info.dbUrl));
      await changePlanillas(stack, between(3, 12), random);
      const start = await postCommand(stack, admin, {
        requestId: uuid(),
        action: "start",
        params: { mode: "all" },
      });
      expect(start.status).toBe(201);
      const commandId = start.body.commandId as string;
      await until(
        "the run to open",
        async () => (await runOf(commandId)) !== undefined,
        30_000,
        output,
      );
      const runId = (await runOf(commandId))!.id;
      const aim = batches - between(2, 14);
      await until(
        "the run to near its end",
        async () => {
          return (await batchCount(sql, runId)) >= aim ||
            TERMINAL.includes((await runOf(commandId))!.status);
        },
        60_000,
        output,
      );
      await Bun.sleep(between(0, 60));
      const control = await postCommand(stack, admin, {
        requestId: uuid(),
        action,
        params: { runId },
      });
      expect(control.status).toBe(201);
      count(`${action}s racing the last batch`);
      await until(
        `the run to settle after the ${action}`,
        async () => {
          const status = (await runOf(commandId))!.status;
          return status === "paused" || TERMINAL.includes(status);
        },
        60_000,
        output,
      );
      // The agent acts at a batch boundary; give a late control the time to land before judging.
      await Bun.sleep(300);
      let run = (await runRow(sql, runId))!;
      const settled = run.status;
      outcomes[`${action} → ${settled}`] = (outcomes[`${action} → ${settled}`] ?? 0) + 1;
      expect({ round, action, status: settled }).toEqual({
        round,
        action,
        status: expect.stringMatching(
          action === "pause" ? /^(paused|completed)$/ : /^(cancelled|completed)$/,
        ),
      });
      const fromBatches = await batchCountTotals(sql, runId);
      expect(fullCounts(run.counts)).toEqual(fromBatches.counts);
      expect({ round, status: settled, done: run.done }).toEqual({
        round,
        status: settled,
        done: itemsIn(fromBatches.counts),
      });
      const mixed = await halfWrittenPlanillas(stack, before);
      expect({ round, mixed }).toEqual({ round, mixed: [] });

      if (settled === "paused") {
        // Paused means resumable: the resume finishes the same run.
        const resume = await postCommand(stack, admin, {
          requestId: uuid(),
          action: "resume",
          params: { runId },
        });
        expect(resume.status).toBe(201);
        run = await runEnded(sql, runId, "the resumed run to end", 60_000, output);
        expect(run.status).toBe("completed");
        expect(fullCounts(run.counts)).toEqual((await batchCountTotals(sql, runId)).counts);
        expect(run.done).toBe(run.total ?? -1);
      } else if (settled === "cancelled") {
        // What a cancel left out comes with the next sync.
        const next = await postCommand(stack, admin, {
          requestId: uuid(),
          action: "start",
          params: { mode: "incremental" },
        });
        expect((await waitForRunEnd(next.body.commandId)).status).toBe("completed");
      } else {
        expect(run.done).toBe(run.total ?? -1);
      }
      await expectExact(stack, `round ${round} (${action} → ${settled})`, exactness);
    }
    console.log(
      `chaos concurrency: controls racing the last batch ended ${
        Object.entries(outcomes).map(([k, n]) => `${k} ×${n}`).join(", ")
      }`,
    );
  }, IS_CI ? 240_000 : 360_000);
});
