// Realtime through the official clients: the agent daemon's pusher-js doorbell claims commands fast,
// survives a stopped daemon and a dropped Pusher, never claims expired commands, and channel auth holds.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import type Pusher from "pusher-js";
import {
  bootStack,
  callEdge,
  signIn,
  type Stack,
  subscribed,
  until as waitUntil,
  uuid,
  webClient as webClientFor,
} from "./support.ts";
import { RestartableAgent } from "./agent-support.ts";

let stack: Stack;
let sql: postgres.Sql;
let adminToken: string;
let staffToken: string;
const webClients: Pusher[] = [];

/** The `puente-agent run` daemon as a child process, with its output collected for assertions. */
class Daemon extends RestartableAgent {
  /** How many times the daemon's Pusher connection reached `connected`. */
  connections(): number {
    return this.output.split("→ connected").length - 1;
  }

  async waitConnected(atLeast = 1, ms = 20_000): Promise<void> {
    await until(`agent pusher connection #${atLeast}`, () => this.connections() >= atLeast, ms);
    // The doorbell channel is subscribed right after the connection opens.
    await Bun.sleep(500);
  }
}

let daemon: Daemon;

/** Waits for `predicate`; a timeout shows the agent's last output. */
const until = (label: string, predicate: () => boolean | Promise<boolean>, ms: number) =>
  waitUntil(label, predicate, ms, () => daemon.output);

async function commandRow(id: string) {
  const [row] = await sql<{ status: string; run_id: string | null }[]>`
    select status, run_id from public.commands where id = ${id}`;
  return row;
}

async function runFor(commandId: string) {
  const [row] = await sql<{ id: string; status: string }[]>`
    select id, status from public.runs where command_id = ${commandId}`;
  return row;
}

/** Enqueues a command through the edge as a person would; returns its id and when the answer came. */
async function enqueue(
  action: "start" | "pause",
  params: Record<string, unknown>,
  token = adminToken,
): Promise<{ commandId: string; answeredAt: number }> {
  const answer = await callEdge(stack.info, "/commands", {
    token,
    body: { requestId: uuid(), agentId: stack.info.agent.id, source: "ferrawin", action, params },
  });
  const answeredAt = performance.now();
  expect({ status: answer.status, body: answer.body }).toMatchObject({
    status: 201,
    body: { status: "pending" },
  });
  return { commandId: answer.body.commandId as string, answeredAt };
}

/** Polls the command every 20 ms until claimed; returns ms from the enqueue answer to the claim seen. */
async function claimLatency(commandId: string, answeredAt: number, ms = 10_000): Promise<number> {
  await until(`command ${commandId} claimed`, async () => {
    const row = await commandRow(commandId);
    return row !== undefined && row.status !== "pending";
  }, ms);
  return performance.now() - answeredAt;
}

async function runFinished(
  commandId: string,
  ms = 60_000,
): Promise<{ id: string; status: string }> {
  let run: { id: string; status: string } | undefined;
  await until(`run of command ${commandId} finished`, async () => {
    run = await runFor(commandId);
    return run !== undefined && !["queued", "running", "paused"].includes(run.status);
  }, ms);
  return run!;
}

/** A web-side client (see `webClient` in support.ts), disconnected after the file's tests. */
function webClient(token: string | null, forge?: (socketId: string, channel: string) => string) {
  const client = webClientFor(stack.info, token, forge);
  webClients.push(client);
  return client;
}

beforeAll(async () => {
  stack = await bootStack({ planillas: 60, seed: 5 });
  sql = postgres(stack.info.dbUrl, { max: 2, onnotice: () => {} });
  daemon = new Daemon(stack, mkdtempSync(join(tmpdir(), "puente-realtime-test-")));
  adminToken = await signIn(stack.info, "admin");
  staffToken = await signIn(stack.info, "staff");
}, 180_000);

afterAll(async () => {
  for (const client of webClients) client.disconnect();
  await daemon?.stop();
  await sql?.end();
  await stack?.stop();
}, 60_000);

describe("realtime: doorbell, reconnects and channel auth", () => {
  test(
    "a command enqueued through the edge is claimed within 1 s and its run completes",
    async () => {
      daemon.start();
      await daemon.waitConnected(1);
      const { commandId, answeredAt } = await enqueue("start", { mode: "incremental" });
      const latency = await claimLatency(commandId, answeredAt, 5000);
      expect(latency).toBeLessThan(1000);
      expect((await runFinished(commandId)).status).toBe("completed");
    },
    90_000,
  );

  test(
    "a command enqueued while the daemon is stopped is claimed once it starts again",
    async () => {
      await daemon.stop();
      const { commandId } = await enqueue("start", { mode: "incremental" });
      await Bun.sleep(1500);
      expect((await commandRow(commandId))?.status).toBe("pending");
      daemon.output = "";
      daemon.start();
      await daemon.waitConnected(1);
      await until(`command ${commandId} claimed after restart`, async () => {
        return (await commandRow(commandId))?.status !== "pending";
      }, 15_000);
      expect((await runFinished(commandId)).status).toBe("completed");
    },
    90_000,
  );

  test("an expired command is never claimed and opens no run", async () => {
    const [row] = await sql<{ id: string }[]>`
      insert into public.commands (request_id, agent_id, source, action, params, created_at, expires_at)
      values (${uuid()}, ${stack.info.agent.id}, 'ferrawin', 'start', ${
      sql.json({ mode: "incremental" })
    },
        now() - interval '20 minutes', now() - interval '5 minutes')
      returning id`;
    const expiredId = row!.id;
    // Ring the doorbell with a fresh command behind it: the claim that takes it must skip the expired one.
    const { commandId, answeredAt } = await enqueue("pause", {});
    await claimLatency(commandId, answeredAt, 5000);
    await Bun.sleep(500);
    const expired = await commandRow(expiredId);
    expect(expired?.status).toBe("expired");
    expect(expired?.run_id).toBeNull();
    expect(await runFor(expiredId)).toBeUndefined();
  }, 60_000);

  test(
    "after the Pusher server drops every connection, agent and web reconnect and events flow",
    async () => {
      const web = webClient(adminToken);
      const status = web.subscribe("private-sync-status");
      await subscribed(status);
      const finished: { runId: string; status: string }[] = [];
      status.bind("run.finished", (event: { runId: string; status: string }) => {
        finished.push(event);
      });
      let webConnections = 0;
      web.connection.bind("connected", () => webConnections++);

      stack.sqlserver.setRowDelay(10);
      let slowCommand: string;
      try {
        slowCommand = (await enqueue("start", { mode: "all" })).commandId;
        await until("the slow run is running", async () => {
          return (await runFor(slowCommand))?.status === "running";
        }, 20_000);
        const agentConnections = daemon.connections();
        expect(stack.pusher.dropAll()).toBeGreaterThanOrEqual(2);
        // The drop really happened mid-run.
        expect((await runFor(slowCommand))?.status).toBe("running");
        await daemon.waitConnected(agentConnections + 1, 30_000);
        await until("web client reconnected", () => webConnections >= 1, 30_000);
        // pusher-js resubscribes by itself; give the resubscription its round trip through /pusher/auth.
        await until("web client resubscribed", () => status.subscribed, 10_000);
      } finally {
        stack.sqlserver.setRowDelay(0);
      }
      expect((await runFinished(slowCommand, 120_000)).status).toBe("completed");

      const { commandId, answeredAt } = await enqueue("start", { mode: "incremental" });
      // The periodic claim is 30 s away: a claim this fast came from the doorbell.
      expect(await claimLatency(commandId, answeredAt, 10_000)).toBeLessThan(5000);
      const run = await runFinished(commandId);
      await until("run.finished reached the web client", () => {
        return finished.some((event) => event.runId === run.id);
      }, 10_000);
      const event = finished.find((e) => e.runId === run.id)!;
      expect(event.status).toBe(run.status);
      expect(run.status).toBe("completed");
    },
    240_000,
  );

  test("forged or missing channel authorization is refused", async () => {
    const forged = webClient(null, () => `${stack.info.pusher.key}:${"0".repeat(64)}`);
    const channel = forged.subscribe("private-sync-status");
    const error = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no subscription_error")), 10_000);
      channel.bind("pusher:subscription_error", (e: unknown) => {
        clearTimeout(timer);
        resolve(e);
      });
      channel.bind("pusher:subscription_succeeded", () => {
        clearTimeout(timer);
        reject(new Error("a forged signature was accepted"));
      });
    });
    expect(error).toBeDefined();
    expect(channel.subscribed).toBe(false);

    const socketId = "1234.5678";
    const staffAgent = await callEdge(stack.info, "/pusher/auth", {
      token: staffToken,
      raw: new URLSearchParams({
        socket_id: socketId,
        channel_name: `private-agent-${stack.info.agent.id}`,
      }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(staffAgent.status).toBe(403);

    const anonymous = await callEdge(stack.info, "/pusher/auth", {
      raw: new URLSearchParams({ socket_id: socketId, channel_name: "private-sync-status" }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(anonymous.status).toBe(401);

    // The same staff token is fine for the channel it may watch, so the 403 above is about the channel.
    const staffStatus = await callEdge(stack.info, "/pusher/auth", {
      token: staffToken,
      raw: new URLSearchParams({ socket_id: socketId, channel_name: "private-sync-status" }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(staffStatus.status).toBe(200);
  }, 60_000);
});
