// The edge API through the real path: supabase-js and fetch → gateway → Deno edge function → Postgres.
import { beforeAll, describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { signJwt } from "../../devstack/src/gateway/jwt.ts";
import {
  callEdge,
  type ReadyInfo,
  samplePlanilla,
  signIn,
  type Stack,
  supabaseFor,
  tableChecksums,
  useStack,
  uuid,
} from "./support.ts";
import postgres from "postgres";
import { createEdgeClient } from "../../agent/src/sink/edge-client.ts";
import { RunConflict } from "../../agent/src/errors/run-conflict.ts";
import { EXIT_ALREADY_RUNNING, EXIT_FAILURE } from "../../agent/src/exit-codes.ts";

let stack: Stack;
let info: ReadyInfo;
let admin: string;
let staff: string;

useStack(() => ({}), async (booted) => {
  stack = booted;
  info = stack.info;
  [admin, staff] = await Promise.all([signIn(info, "admin"), signIn(info, "staff")]);
});

/** A fresh agent per scenario, so the one-active-run rule of one test never blocks another. */
async function newAgent(
  name = `test-${uuid().slice(0, 8)}`,
): Promise<{ agentId: string; key: string }> {
  const client = supabaseFor(info);
  await client.auth.signInWithPassword(info.users.admin);
  const { data, error } = await client.rpc("create_agent", { p_name: name });
  if (error) throw new Error(`create_agent: ${error.message}`);
  return data as { agentId: string; key: string };
}

const start = (agentId: string, source: string, params: Record<string, unknown>) => ({
  requestId: uuid(),
  agentId,
  source,
  action: "start",
  params,
});

async function dbCount(table: string): Promise<number> {
  const sql = postgres(info.dbUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql.unsafe(`select count(*)::int as n from public.${table}`);
    return Number(row?.n);
  } finally {
    await sql.end();
  }
}

describe("edge API", () => {
  test("health answers with the database reachable", async () => {
    const answer = await callEdge(info, "/health");
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-request-id")).toBeTruthy();
  });

  test("people sign in through the gateway, and a command is stored once per requestId", async () => {
    const agent = await newAgent();
    const body = start(agent.agentId, "ferrawin", { mode: "year", year: 2025 });
    const first = await callEdge(info, "/commands", { token: admin, body });
    expect(first.status).toBe(201);
    expect(first.body.duplicate).toBe(false);
    const again = await callEdge(info, "/commands", { token: admin, body });
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    expect(again.body.commandId).toBe(first.body.commandId);
  });

  test("the role matrix: staff may start new+modified or one planilla, pause and resume; nothing else", async () => {
    const cases: [string, "admin" | "staff", (a: string) => Record<string, unknown>, number][] = [
      ["staff incremental", "staff", (a) => start(a, "ferrawin", { mode: "incremental" }), 201],
      ["staff one", "staff", (a) => start(a, "ferrawin", { mode: "one", code: "2026-886" }), 201],
      ["staff year", "staff", (a) => start(a, "ferrawin", { mode: "year", year: 2024 }), 403],
      ["staff all", "staff", (a) => start(a, "ferrawin", { mode: "all" }), 403],
      ["staff wispro", "staff", (a) => start(a, "wispro", { mode: "full" }), 403],
      [
        "staff pause",
        "staff",
        (a) => ({ ...start(a, "ferrawin", {}), action: "pause", params: {} }),
        201,
      ],
      [
        "staff resume",
        "staff",
        (a) => ({ ...start(a, "ferrawin", {}), action: "resume", params: {} }),
        201,
      ],
      [
        "staff cancel",
        "staff",
        (a) => ({ ...start(a, "ferrawin", {}), action: "cancel", params: {} }),
        403,
      ],
      ["admin year", "admin", (a) => start(a, "ferrawin", { mode: "year", year: 2024 }), 201],
      ["admin all", "admin", (a) => start(a, "ferrawin", { mode: "all" }), 201],
      ["admin wispro", "admin", (a) => start(a, "wispro", { mode: "full" }), 201],
      [
        "admin cancel",
        "admin",
        (a) => ({ ...start(a, "ferrawin", {}), action: "cancel", params: {} }),
        201,
      ],
    ];
    const seen: string[] = [];
    for (const [name, who, body, expected] of cases) {
      const agent = await newAgent();
      const answer = await callEdge(info, "/commands", {
        token: who === "admin" ? admin : staff,
        body: body(agent.agentId),
      });
      seen.push(
        `${name}: ${answer.status}${
          answer.status === expected ? "" : ` (expected ${expected}) ${JSON.stringify(answer.body)}`
        }`,
      );
    }
    expect(seen).toEqual(cases.map(([name, , , expected]) => `${name}: ${expected}`));
  });

  test("a second start while one is pending is a conflict", async () => {
    const agent = await newAgent();
    expect(
      (await callEdge(info, "/commands", {
        token: admin,
        body: start(agent.agentId, "ferrawin", { mode: "all" }),
      })).status,
    )
      .toBe(201);
    const second = await callEdge(info, "/commands", {
      token: admin,
      body: start(agent.agentId, "ferrawin", { mode: "incremental" }),
    });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("sync_already_active");
  });

  test("the agent tells the database's conflicts apart by their codes", async () => {
    const agent = await newAgent();
    const client = createEdgeClient({ baseUrl: info.functionsUrl, agentKey: agent.key });
    const run = await client.openRun({ source: "wispro", params: { mode: "full" } });
    const second = await client.openRun({ source: "wispro", params: { mode: "full" } }).catch((e) =>
      e
    );
    expect(second).toBeInstanceOf(RunConflict);
    expect([second.code, second.exitCode]).toEqual(["run_active", EXIT_ALREADY_RUNNING]);
    await client.finishRun(run.id, { status: "cancelled", total: null, done: 0, counts: {} });
    const late = await client.sendBatch(run.id, {
      v: 1,
      seq: 0,
      kind: "customers",
      page: 1,
      customers: [],
      rejects: [],
    }).catch((e) => e);
    expect(late).toBeInstanceOf(RunConflict);
    expect([late.code, late.isAlreadyRunning, late.exitCode]).toEqual([
      "run_not_running",
      false,
      EXIT_FAILURE,
    ]);
    // The words the database used, as the agent shows them.
    expect(late.message).toContain("run is cancelled, not running");
  });

  test("an agent claims exactly once, runs, ingests a batch, replays it harmlessly and finishes", async () => {
    const agent = await newAgent();
    const enqueued = await callEdge(info, "/commands", {
      token: admin,
      body: start(agent.agentId, "ferrawin", { mode: "year", year: 2025 }),
    });
    expect(enqueued.status).toBe(201);

    const claimed = await callEdge(info, "/agent/commands/claim", {
      agentKey: agent.key,
      body: {},
    });
    expect(claimed.status).toBe(200);
    const ids = claimed.body.commands.map((c: { id: string }) => c.id);
    expect(ids).toContain(enqueued.body.commandId);
    const again = await callEdge(info, "/agent/commands/claim", { agentKey: agent.key, body: {} });
    expect(again.body.commands.map((c: { id: string }) => c.id)).not.toContain(
      enqueued.body.commandId,
    );

    const opened = await callEdge(info, "/agent/runs", {
      agentKey: agent.key,
      body: {
        commandId: enqueued.body.commandId,
        source: "ferrawin",
        params: { mode: "year", year: 2025 },
        total: 2,
      },
    });
    expect([200, 201]).toContain(opened.status);
    const runId = opened.body.id as string;
    expect(opened.body.status).toBe("running");

    const progress = await callEdge(info, `/agent/runs/${runId}/progress`, {
      agentKey: agent.key,
      body: { done: 0, total: 2 },
    });
    expect(progress.status).toBe(200);

    const planillasBefore = await dbCount("planillas");
    const batch = {
      kind: "planillas",
      seq: 0,
      planillas: [samplePlanilla("2025-900001"), samplePlanilla("2025-900002", 4)],
    };
    const gz = gzipSync(JSON.stringify(batch));
    const ingest = () =>
      callEdge(info, `/agent/runs/${runId}/batches`, {
        agentKey: agent.key,
        raw: gz,
        headers: { "content-type": "application/json", "content-encoding": "gzip" },
      });
    const first = await ingest();
    expect(first.status).toBe(200);
    expect(first.body.replayed).toBe(false);
    expect(first.body.counts.planillas.created).toBe(2);
    expect(first.body.counts.elementos.created).toBe(7);
    const before = await tableChecksums(info.dbUrl);
    const replay = await ingest();
    expect(replay.status).toBe(200);
    expect(replay.body.replayed).toBe(true);
    expect(replay.body.counts).toEqual(first.body.counts);
    expect(await tableChecksums(info.dbUrl)).toEqual(before);
    expect(await dbCount("planillas")).toBe(planillasBefore + 2);

    const finished = await callEdge(info, `/agent/runs/${runId}/finish`, {
      agentKey: agent.key,
      body: { status: "completed", done: 2, total: 2, counts: first.body.counts },
    });
    expect(finished.status).toBe(200);
    expect(finished.body.status).toBe("completed");
  });
});

describe("an agent in a protocol the API no longer speaks", () => {
  test("gets 426, staff see it outdated in sync_overview, and its next accepted heartbeat clears it", async () => {
    const agent = await newAgent();
    const overviewRow = async () => {
      const client = supabaseFor(info);
      await client.auth.signInWithPassword(info.users.staff);
      const { data, error } = await client.rpc("sync_overview");
      if (error) throw new Error(`sync_overview: ${error.message}`);
      return (data.agents as Record<string, unknown>[]).find((a) => a.id === agent.agentId)!;
    };
    const old = await callEdge(info, "/agent/heartbeat", {
      agentKey: agent.key,
      body: { v: 0, version: "0.1.0", hostname: "PC-VIEJO" },
    });
    expect(old.status).toBe(426);
    expect(old.body.error.code).toBe("protocol_unsupported");
    const refused = await overviewRow();
    expect([refused.protocolSeen, refused.protocolNeeded]).toEqual([0, 1]);
    expect(typeof refused.outdatedAt).toBe("string");

    const current = await callEdge(info, "/agent/heartbeat", {
      agentKey: agent.key,
      body: { version: "1.0.0", hostname: "PC" },
    });
    expect(current.status).toBe(200);
    const accepted = await overviewRow();
    expect([accepted.protocolSeen, accepted.protocolNeeded, accepted.outdatedAt])
      .toEqual([1, null, null]);
  });
});

describe("bad input is refused with the documented status and writes nothing", () => {
  let agentA: { agentId: string; key: string };
  let agentB: { agentId: string; key: string };
  let runA: string;
  let finishedRun: string;

  beforeAll(async () => {
    agentA = await newAgent("bad-input-a");
    agentB = await newAgent("bad-input-b");
    const open = async (agent: { key: string }) =>
      (await callEdge(info, "/agent/runs", {
        agentKey: agent.key,
        body: { source: "ferrawin", params: { mode: "all" } },
      })).body
        .id as string;
    runA = await open(agentA);
    finishedRun = await open(agentB);
    await callEdge(info, `/agent/runs/${finishedRun}/finish`, {
      agentKey: agentB.key,
      body: { status: "completed", done: 0 },
    });
  });

  const expired = () =>
    signJwt({
      role: "authenticated",
      sub: uuid(),
      exp: Math.floor(Date.now() / 1000) - 60,
      app_metadata: { role: "admin" },
    }, info.jwtSecret);
  const forged = () =>
    signJwt({
      role: "authenticated",
      sub: uuid(),
      exp: Math.floor(Date.now() / 1000) + 600,
      app_metadata: { role: "admin" },
    }, "not-the-secret-but-long-enough-0123456789");
  const roleless = () =>
    signJwt({
      role: "authenticated",
      sub: uuid(),
      exp: Math.floor(Date.now() / 1000) + 600,
      app_metadata: {},
    }, info.jwtSecret);
  const goodStart = () => start(agentA.agentId, "ferrawin", { mode: "incremental" });
  const json = { "content-type": "application/json" };
  const gzipJson = { "content-type": "application/json", "content-encoding": "gzip" };
  const batch = (planillas: unknown[], seq = 0) => ({ kind: "planillas", seq, planillas });

  type Case = [
    name: string,
    path: string,
    init: () => Parameters<typeof callEdge>[2],
    status: number,
    code?: string,
  ];
  const cases: Case[] = [
    [
      "malformed JSON",
      "/commands",
      () => ({ token: admin, raw: "{not json", headers: json }),
      400,
      "invalid_json",
    ],
    [
      "empty body",
      "/commands",
      () => ({ token: admin, raw: "", headers: json }),
      422,
      "validation_failed",
    ],
    [
      "array body",
      "/commands",
      () => ({ token: admin, body: [goodStart()] }),
      422,
      "validation_failed",
    ],
    [
      "wrong type",
      "/commands",
      () => ({ token: admin, body: { ...goodStart(), requestId: 5 } }),
      422,
      "validation_failed",
    ],
    [
      "unknown action",
      "/commands",
      () => ({ token: admin, body: { ...goodStart(), action: "explode" } }),
      422,
      "validation_failed",
    ],
    [
      "unknown source",
      "/commands",
      () => ({ token: admin, body: { ...goodStart(), source: "sap" } }),
      422,
      "validation_failed",
    ],
    [
      "unknown field",
      "/commands",
      () => ({ token: admin, body: { ...goodStart(), sql: "drop table runs" } }),
      422,
      "validation_failed",
    ],
    [
      "wrong protocol version",
      "/commands",
      () => ({ token: admin, body: { ...goodStart(), v: 2 } }),
      426,
      "protocol_unsupported",
    ],
    [
      "out-of-range year",
      "/commands",
      () => ({
        token: admin,
        body: start(agentA.agentId, "ferrawin", { mode: "year", year: 1899 }),
      }),
      422,
      "validation_failed",
    ],
    [
      "future year",
      "/commands",
      () => ({
        token: admin,
        body: start(agentA.agentId, "ferrawin", { mode: "year", year: 3000 }),
      }),
      422,
      "validation_failed",
    ],
    [
      "SQL injection in a code",
      "/commands",
      () => ({
        token: admin,
        body: start(agentA.agentId, "ferrawin", {
          mode: "one",
          code: "2025-0001'; DROP TABLE ORD_HEAD;--",
        }),
      }),
      422,
      "validation_failed",
    ],
    [
      "T-SQL injection in fromCode",
      "/commands",
      () => ({
        token: admin,
        body: start(agentA.agentId, "ferrawin", {
          mode: "year",
          year: 2025,
          fromCode: "2025-1 OR 1=1",
        }),
      }),
      422,
      "validation_failed",
    ],
    [
      "wrong content type",
      "/commands",
      () => ({
        token: admin,
        raw: JSON.stringify(goodStart()),
        headers: { "content-type": "text/plain" },
      }),
      415,
      "unsupported_media_type",
    ],
    [
      "broken gzip",
      "/commands",
      () => ({ token: admin, raw: new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]), headers: gzipJson }),
      400,
    ],
    [
      "gzip bomb",
      "/commands",
      () => ({
        token: admin,
        raw: gzipSync(Buffer.alloc(200 * 1024 * 1024, 32)),
        headers: gzipJson,
      }),
      413,
      "payload_too_large",
    ],
    ["missing JWT", "/commands", () => ({ body: goodStart() }), 401, "unauthorized"],
    [
      "expired JWT",
      "/commands",
      () => ({ token: expired(), body: goodStart() }),
      401,
      "unauthorized",
    ],
    [
      "forged JWT",
      "/commands",
      () => ({ token: forged(), body: goodStart() }),
      401,
      "unauthorized",
    ],
    [
      "JWT without a role",
      "/commands",
      () => ({ token: roleless(), body: goodStart() }),
      403,
      "forbidden",
    ],
    [
      "agent key where a person is needed",
      "/commands",
      () => ({ agentKey: agentA.key, body: goodStart() }),
      401,
      "unauthorized",
    ],
    [
      "staff starting a year",
      "/commands",
      () => ({
        token: staff,
        body: start(agentA.agentId, "ferrawin", { mode: "year", year: 2025 }),
      }),
      403,
      "forbidden",
    ],
    [
      "staff starting wispro",
      "/commands",
      () => ({ token: staff, body: start(agentA.agentId, "wispro", { mode: "full" }) }),
      403,
      "forbidden",
    ],
    [
      "wrong agent key",
      "/agent/commands/claim",
      () => ({ agentKey: "pk_wrong", body: {} }),
      401,
      "unauthorized",
    ],
    ["no agent key", "/agent/commands/claim", () => ({ body: {} }), 401, "unauthorized"],
    [
      "a person's JWT on an agent route",
      "/agent/commands/claim",
      () => ({ token: admin, body: {} }),
      401,
      "unauthorized",
    ],
    [
      "claim limit out of range",
      "/agent/commands/claim",
      () => ({ agentKey: agentA.key, body: { limit: 0 } }),
      422,
      "validation_failed",
    ],
    [
      "another agent's run",
      "/agent/runs/RUN_A/progress",
      () => ({ agentKey: agentB.key, body: { done: 1 } }),
      404,
      "not_found",
    ],
    [
      "a run id that is not a UUID",
      "/agent/runs/1%20OR%201=1/progress",
      () => ({ agentKey: agentA.key, body: { done: 1 } }),
      404,
      "not_found",
    ],
    [
      "a run that does not exist",
      `/agent/runs/00000000-0000-4000-8000-000000000000/batches`,
      () => ({ agentKey: agentA.key, body: batch([samplePlanilla("2025-900101")]) }),
      404,
      "not_found",
    ],
    [
      "progress with an unknown status",
      "/agent/runs/RUN_A/progress",
      () => ({ agentKey: agentA.key, body: { done: 1, status: "exploded" } }),
      422,
      "validation_failed",
    ],
    [
      "failed finish without a reason",
      "/agent/runs/RUN_A/finish",
      () => ({ agentKey: agentA.key, body: { status: "failed", done: 0 } }),
      422,
      "validation_failed",
    ],
    [
      "negative diameter",
      "/agent/runs/RUN_A/batches",
      () => ({
        agentKey: agentA.key,
        body: batch([{
          ...samplePlanilla("2025-900102"),
          elementos: [{ ...samplePlanilla("2025-900102").elementos[0], diametro_mm: -8 }],
        }]),
      }),
      422,
      "validation_failed",
    ],
    [
      "duplicate planilla in a batch",
      "/agent/runs/RUN_A/batches",
      () => ({
        agentKey: agentA.key,
        body: batch([samplePlanilla("2025-900103"), samplePlanilla("2025-900103")]),
      }),
      422,
      "validation_failed",
    ],
    [
      "unpadded code in a batch",
      "/agent/runs/RUN_A/batches",
      () => ({
        agentKey: agentA.key,
        body: batch([{ ...samplePlanilla("2025-900104"), codigo: "2025-104" }]),
      }),
      422,
      "validation_failed",
    ],
    [
      "a batch for a finished run",
      "/agent/runs/RUN_DONE/batches",
      () => ({ agentKey: agentB.key, body: batch([samplePlanilla("2025-900105")]) }),
      409,
      "run_not_running",
    ],
    [
      "oversize heartbeat field",
      "/agent/heartbeat",
      () => ({ agentKey: agentA.key, body: { version: "1", hostname: "x".repeat(5000) } }),
      422,
      "validation_failed",
    ],
    [
      "pusher auth: staff on an agent channel",
      "/pusher/auth",
      () => ({ token: staff, body: { socket_id: "1.1", channel_name: "private-agent-AGENT_A" } }),
      403,
      "forbidden",
    ],
    [
      "pusher auth: agent on another agent's channel",
      "/pusher/auth",
      () => ({
        agentKey: agentB.key,
        body: { socket_id: "1.1", channel_name: "private-agent-AGENT_A" },
      }),
      403,
      "forbidden",
    ],
    [
      "pusher auth: anonymous on sync status",
      "/pusher/auth",
      () => ({ body: { socket_id: "1.1", channel_name: "private-sync-status" } }),
      401,
      "unauthorized",
    ],
    ["unknown route", "/drop-tables", () => ({ token: admin, body: {} }), 404, "not_found"],
  ];

  test(`has at least 30 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  for (const [name, rawPath, init, status, code] of cases) {
    test(name, async () => {
      const path = rawPath.replace("RUN_A", runA).replace("RUN_DONE", finishedRun);
      const request = init();
      if (request?.body && typeof request.body === "object") {
        request.body = JSON.parse(
          JSON.stringify(request.body).replaceAll("AGENT_A", agentA.agentId),
        );
      }
      const before = await tableChecksums(info.dbUrl);
      const answer = await callEdge(info, path, request);
      expect({ status: answer.status, body: answer.body }).toMatchObject({ status });
      expect(answer.body?.error?.message).toBeString();
      if (code) expect(answer.body.error.code).toBe(code);
      expect(await tableChecksums(info.dbUrl)).toEqual(before);
    });
  }
});
