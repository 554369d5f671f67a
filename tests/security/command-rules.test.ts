// Issue 20, finding 3: staff bypassed the edge's command rules by calling enqueue_command directly
// (a staff `pause` of Wispro: 403 at the edge, `pending` at /rest/v1/rpc), and a start with an
// unreadable planilla code was stored, never rejected by the agent, redelivered every minute, and
// blocked every FerraWin start for 15 minutes. Now one rule table decides at both doors (the same rows
// in protocol's COMMAND_RULES and public.command_rules), the database checks params as the protocol
// does, and a command the agent cannot read is marked rejected once.
import { describe, expect, test } from "bun:test";
import { COMMAND_RULES } from "../../protocol/src/index.ts";
import { startListener } from "../../agent/src/listener.ts";
import { createEdgeClient } from "../../agent/src/sink/edge-client.ts";
import { Logger } from "../../agent/src/status/log.ts";
import {
  callEdge,
  callRpc,
  connectDb,
  DatabaseWatch,
  useStackWithPeople,
  uuid,
} from "./support.ts";

const env = useStackWithPeople();

/** Every command a person could ask for, valid or not. */
const CASES: { source: string; action: string; params: Record<string, unknown> }[] = [
  ...["incremental", "all"].map((mode) => ({
    source: "ferrawin",
    action: "start",
    params: { mode },
  })),
  { source: "ferrawin", action: "start", params: { mode: "year", year: 2025 } },
  { source: "ferrawin", action: "start", params: { mode: "one", code: "2025-000001" } },
  { source: "wispro", action: "start", params: { mode: "full" } },
  ...["ferrawin", "wispro"].flatMap((source) =>
    ["pause", "resume", "cancel"].map((action) => ({ source, action, params: {} }))
  ),
  // Unreadable params: refused at both doors whoever asks.
  { source: "ferrawin", action: "start", params: { mode: "one", code: "no-such-code" } },
  { source: "ferrawin", action: "start", params: { mode: "incremental", extra: 1 } },
  { source: "ferrawin", action: "start", params: { mode: "year", year: 1990 } },
  { source: "wispro", action: "start", params: { mode: "incremental" } },
  { source: "ferrawin", action: "pause", params: { runId: "not-a-uuid" } },
];

/** allowed, forbidden or invalid, from an HTTP status (edge) or a PostgREST status (RPC). */
const verdict = (status: number) =>
  status === 200 || status === 201
    ? "allowed"
    : status === 403
    ? "forbidden"
    : status === 400 || status === 422
    ? "invalid"
    : `status ${status}`;

describe("one rule table for the edge and the database", () => {
  test("protocol's COMMAND_RULES and public.command_rules hold the same rows", async () => {
    const sql = connectDb(env.stack.info);
    try {
      const rows = await sql<
        { role: string; source: string; action: string; mode: string | null }[]
      >`
        select role, source, action, mode from public.command_rules`;
      const key = (r: { role: string; source: string; action: string; mode: string | null }) =>
        `${r.role}/${r.source}/${r.action}/${r.mode ?? "-"}`;
      expect(rows.map(key).sort()).toEqual(COMMAND_RULES.map(key).sort());
    } finally {
      await sql.end();
    }
  });

  test(
    "every role × command gets the same verdict from the edge and from the RPC called directly",
    async () => {
      const sql = connectDb(env.stack.info);
      const watch = await DatabaseWatch.open(env.stack.info);
      const mismatches: string[] = [];
      let cells = 0;
      try {
        for (const [who, token] of Object.entries(env.people)) {
          for (const c of CASES) {
            // Nothing pending or running, so each start is judged on its own.
            await sql`update public.commands set status = 'expired' where status in ('pending', 'claimed')`;
            const body = { v: 1, requestId: uuid(), agentId: env.stack.info.agent.id, ...c };
            let edgeStatus = 0;
            const edgeWrites = await watch.changedBy(async () => {
              edgeStatus = (await callEdge(env.stack.info, "/commands", { token, body })).status;
            });
            await sql`update public.commands set status = 'expired' where status in ('pending', 'claimed')`;
            let rpcStatus = 0;
            const rpcWrites = await watch.changedBy(async () => {
              rpcStatus = (await callRpc(env.stack.info, "enqueue_command", {
                p_request_id: uuid(),
                p_agent_id: env.stack.info.agent.id,
                p_source: c.source,
                p_action: c.action,
                p_params: c.params,
              }, token)).status;
            });
            cells++;
            const line = `${who} ${c.action} ${c.source} ${JSON.stringify(c.params)}`;
            if (verdict(edgeStatus) !== verdict(rpcStatus)) {
              mismatches.push(`${line}: edge ${edgeStatus}, rpc ${rpcStatus}`);
            }
            if (verdict(edgeStatus) !== "allowed" && edgeWrites.length > 0) {
              mismatches.push(`${line}: the refused edge call wrote ${edgeWrites}`);
            }
            if (verdict(rpcStatus) !== "allowed" && rpcWrites.length > 0) {
              mismatches.push(`${line}: the refused RPC call wrote ${rpcWrites}`);
            }
          }
        }
      } finally {
        await watch.close();
        await sql.end();
      }
      console.log(`command rules: ${cells} role × command cells, edge and RPC`);
      expect(mismatches).toEqual([]);
    },
    180_000,
  );

  test("the reproductions: staff pause of Wispro and a start with code no-such-code are refused by the RPC", async () => {
    const pause = await callRpc(env.stack.info, "enqueue_command", {
      p_request_id: uuid(),
      p_agent_id: env.stack.info.agent.id,
      p_source: "wispro",
      p_action: "pause",
      p_params: {},
    }, env.people.staff);
    expect(pause.status).toBe(403);
    const bogus = await callRpc(env.stack.info, "enqueue_command", {
      p_request_id: uuid(),
      p_agent_id: env.stack.info.agent.id,
      p_source: "ferrawin",
      p_action: "start",
      p_params: { mode: "one", code: "no-such-code" },
    }, env.people.staff);
    expect(bogus.status).toBe(422);
    expect(JSON.stringify(bogus.body)).toContain("params.code");
  });
});

describe("a command the agent cannot read", () => {
  test(
    "is marked rejected with its reason once, never redelivered, and blocks no later start",
    async () => {
      const sql = connectDb(env.stack.info);
      await sql`update public.commands set status = 'expired' where status in ('pending', 'claimed')`;
      // One stored before these rules: the database no longer takes it, so it is written directly.
      const [bad] = await sql<{ id: string }[]>`
      insert into public.commands (request_id, agent_id, source, action, params)
      values (gen_random_uuid(), ${env.stack.info.agent.id}, 'ferrawin', 'start',
        '{"mode":"one","code":"no-such-code"}')
      returning id::text`;
      const edge = createEdgeClient({
        baseUrl: env.stack.info.functionsUrl,
        agentKey: env.stack.info.agent.key,
        retry: { limit: 0 },
      });
      const dispatched: string[] = [];
      const listener = startListener({
        pusher: null,
        agentId: null,
        authorize: () => Promise.reject(new Error("no realtime in this test")),
        claim: () => edge.claimCommands(),
        dispatch: (command) => dispatched.push(command.id),
        reject: (command, reason) => edge.rejectCommand(command.id, reason),
        claimIntervalMs: 3_600_000,
        logger: new Logger({ dir: null }),
      });
      try {
        await listener.claimNow("interval");
        const [row] = await sql<{ status: string; reject_reason: string }[]>`
        select status, reject_reason from public.commands where id = ${bad!.id}::uuid`;
        expect(row?.status).toBe("rejected");
        expect(row?.reject_reason).toContain("params.code");
        expect(dispatched).not.toContain(bad!.id);
        // A minute later the claim would redeliver a lost start; a rejected one never comes back.
        await sql`update public.commands set claimed_at = now() - interval '5 minutes' where id = ${
          bad!.id
        }::uuid`;
        expect((await edge.claimCommands()).map((c) => c.id)).not.toContain(bad!.id);
        // An admin's FerraWin start is not blocked by it.
        const start = await callEdge(env.stack.info, "/commands", {
          token: env.people.admin,
          body: {
            v: 1,
            requestId: uuid(),
            agentId: env.stack.info.agent.id,
            source: "ferrawin",
            action: "start",
            params: { mode: "incremental" },
          },
        });
        expect(start.status).toBe(201);
      } finally {
        listener.stop();
        await sql.end();
      }
    },
    60_000,
  );
});
