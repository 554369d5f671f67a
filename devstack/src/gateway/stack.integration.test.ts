// The whole Supabase side against the real migrations: supabase-js through the gateway to the `sync`
// edge function under Deno, which calls the database RPCs and triggers Pusher (a recording HTTP server).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { createClient, FunctionsHttpError, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import {
  applyMigrations,
  createDemoData,
  type StartedPostgres,
  startPostgres,
} from "../postgres/index.ts";
import { startSupabaseStack, type SupabaseStack } from "./stack.ts";

interface PusherEvent {
  name: string;
  channels?: string[];
  channel?: string;
  data: string;
}

let pg: StartedPostgres;
let stack: SupabaseStack;
let demo: Awaited<ReturnType<typeof createDemoData>>;
let pusherRecorder: ReturnType<typeof Bun.serve>;
const pusherEvents: PusherEvent[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  await applyMigrations(pg.url);
  demo = await createDemoData(pg.url);
  pusherRecorder = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      if (new URL(request.url).pathname === "/apps/puente/events") {
        pusherEvents.push(await request.json() as PusherEvent);
      }
      return Response.json({});
    },
  });
  stack = await startSupabaseStack({
    dbUrl: pg.url,
    jwtSecret: "stack-test-secret-with-at-least-32-chars",
    pusher: {
      appId: "puente",
      key: "k",
      secret: "s",
      host: "127.0.0.1",
      port: pusherRecorder.port!,
    },
    edgeOutput: "ignore",
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  pusherRecorder?.stop(true);
  await pg?.stop();
});

async function signIn(who: "admin" | "staff"): Promise<SupabaseClient> {
  const client = createClient(stack.gateway.url, stack.gateway.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const { error } = await client.auth.signInWithPassword({
    email: demo.users[who].email,
    password: demo.users[who].password,
  });
  if (error) throw error;
  return client;
}

function agentPost(path: string, body: unknown, gzip = false): Promise<Response> {
  const json = JSON.stringify(body);
  return fetch(`${stack.functionsUrl}${path}`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${demo.agent.key}`,
      "Content-Type": "application/json",
      ...(gzip ? { "Content-Encoding": "gzip" } : {}),
    },
    body: gzip ? gzipSync(json) : json,
  });
}

const eventsNamed = (name: string) => pusherEvents.filter((e) => e.name === name);

describe("a sync through the whole Supabase side", () => {
  test("health answers through the gateway", async () => {
    const response = await fetch(`${stack.functionsUrl}/health`);
    expect(response.status).toBe(200);
    expect((await response.json()).db.reachable).toBe(true);
    expect(response.headers.get("x-request-id")).toBeTruthy();
  });

  test("staff may not start a whole year (403 envelope through functions.invoke)", async () => {
    const staff = await signIn("staff");
    const { error } = await staff.functions.invoke("sync/commands", {
      body: {
        requestId: crypto.randomUUID(),
        agentId: demo.agent.id,
        source: "ferrawin",
        action: "start",
        params: { mode: "year", year: 2025 },
      },
    });
    expect(error).toBeInstanceOf(FunctionsHttpError);
    const response = (error as FunctionsHttpError).context as Response;
    expect(response.status).toBe(403);
    expect((await response.json()).error.code).toBe("forbidden");
  });

  test("command → doorbell → claim → run → batch → progress → finish", async () => {
    const admin = await signIn("admin");
    const requestId = crypto.randomUUID();
    const command = {
      requestId,
      agentId: demo.agent.id,
      source: "ferrawin",
      action: "start",
      params: { mode: "incremental" },
    };
    const enqueued = await admin.functions.invoke("sync/commands", { body: command });
    expect(enqueued.error).toBeNull();
    const commandId = enqueued.data.commandId as string;
    expect(enqueued.data.duplicate).toBe(false);
    const again = await admin.functions.invoke("sync/commands", { body: command });
    expect([again.data.commandId, again.data.duplicate]).toEqual([commandId, true]);
    expect(eventsNamed("command.available").map((e) => [e.channels, JSON.parse(e.data)]))
      .toContainEqual([
        [`private-agent-${demo.agent.id}`],
        { commandId },
      ]);

    const claim = await agentPost("/agent/commands/claim", {});
    expect(claim.status).toBe(200);
    const claimed = await claim.json();
    expect(claimed.commands.map((c: { id: string }) => c.id)).toContain(commandId);

    const opened = await agentPost("/agent/runs", {
      commandId,
      source: "ferrawin",
      params: { mode: "incremental" },
    });
    expect(opened.status).toBe(201);
    const run = await opened.json();

    const elementos = Array.from({ length: 2000 }, (_, i) => ({
      ferrawin_id: `${i + 1}-1`,
      fila: i + 1,
      diametro_mm: 12,
      longitud_mm: 1500,
      peso_kg: 1.33,
    }));
    const batch = {
      kind: "planillas",
      seq: 0,
      planillas: [{
        codigo: "2025-000001",
        zconta: 2025,
        obra: { codigo: "12", nombre: "Torre", cliente: { codigo: "7", nombre: "ACME" } },
        peso_total_kg: 2660,
        fingerprint: "2000|x|2025-01-01",
        elementos,
        entidades: [],
      }],
    };
    const ingested = await agentPost(`/agent/runs/${run.id}/batches`, batch, true);
    const result = await ingested.json();
    expect(ingested.status).toBe(200);
    expect(result.counts.elementos.created).toBe(2000);
    const replay = await (await agentPost(`/agent/runs/${run.id}/batches`, batch, true)).json();
    expect(replay.replayed).toBe(true);

    const progress = await agentPost(`/agent/runs/${run.id}/progress`, {
      done: 1,
      total: 1,
      cursor: { source: "ferrawin", lastCode: "2025-000001" },
      lastItem: { code: "2025-000001", cliente: "ACME", obra: "Torre" },
    });
    expect(progress.status).toBe(200);
    expect(eventsNamed("run.progress").map((e) => JSON.parse(e.data).runId)).toContain(run.id);

    const finished = await agentPost(`/agent/runs/${run.id}/finish`, {
      status: "completed",
      done: 1,
      total: 1,
    });
    expect(finished.status).toBe(200);
    expect((await finished.json()).status).toBe("completed");
    const finishedEvent = eventsNamed("run.finished").find((e) =>
      JSON.parse(e.data).runId === run.id
    );
    expect(JSON.parse(finishedEvent!.data).status).toBe("completed");

    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      const [row] =
        await sql`select count(*)::int as n from public.elementos where planilla_codigo = '2025-000001'`;
      expect(row?.n).toBe(2000);
    } finally {
      await sql.end();
    }
  }, 60_000);

  test("the agent may authorize its own channel only; a bad key is 401", async () => {
    const form = (channel: string) =>
      new URLSearchParams({ socket_id: "1.2", channel_name: channel }).toString();
    const post = (key: string, channel: string) =>
      fetch(`${stack.functionsUrl}/pusher/auth`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${key}`,
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: form(channel),
      });
    expect((await post(demo.agent.key, `private-agent-${demo.agent.id}`)).status).toBe(200);
    expect((await post(demo.agent.key, "private-sync-status")).status).toBe(403);
    expect((await post("pk_not_a_real_key", `private-agent-${demo.agent.id}`)).status).toBe(401);
  });
});
