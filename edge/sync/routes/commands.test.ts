import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { CommandRequest } from "../../../protocol/src/index.ts";
import {
  AGENT,
  createTestApp,
  JWT_SECRET,
  ScriptedRpcError,
  signHs256,
  userToken,
} from "../testing.ts";
import { mayRequest } from "./commands.ts";

const COMMAND_ID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
const accepted = (overrides: Record<string, unknown> = {}) => () => ({
  v: 1,
  commandId: COMMAND_ID,
  status: "pending",
  duplicate: false,
  expiresAt: "2026-01-01T00:15:00Z",
  ...overrides,
});
const command = (source: string, action: string, params: Record<string, unknown> = {}) => ({
  requestId: crypto.randomUUID(),
  agentId: AGENT.agentId,
  source,
  action,
  params,
});

Deno.test("role matrix: admin everything, staff ferrawin incremental/one, pause, resume", () => {
  const cases: [string, string, Record<string, unknown>, boolean, boolean][] = [
    ["ferrawin", "start", { mode: "incremental" }, true, true],
    ["ferrawin", "start", { mode: "one", code: "2025-000001" }, true, true],
    ["ferrawin", "start", { mode: "year", year: 2025 }, true, false],
    ["ferrawin", "start", { mode: "all" }, true, false],
    ["ferrawin", "pause", {}, true, true],
    ["ferrawin", "resume", {}, true, true],
    ["ferrawin", "cancel", {}, true, false],
    ["wispro", "start", {}, true, false],
    ["wispro", "pause", {}, true, false],
  ];
  for (const [source, action, params, admin, staff] of cases) {
    const parsed = CommandRequest.parse(command(source, action, params));
    assertEquals(
      [source, action, params, mayRequest("admin", parsed), mayRequest("staff", parsed)],
      [
        source,
        action,
        params,
        admin,
        staff,
      ],
    );
    assertEquals(mayRequest(null, parsed), false);
  }
});

Deno.test("admin enqueues with their own JWT and the agent's doorbell rings", async () => {
  const { request, calls, notifier } = createTestApp({ enqueue_command: accepted() });
  const jwt = await userToken("admin");
  const body = command("wispro", "start");
  const response = await request("/commands", {
    json: body,
    headers: { Authorization: `Bearer ${jwt}` },
  });
  assertEquals(response.status, 201);
  assertEquals((await response.json()).commandId, COMMAND_ID);
  assertEquals(calls, [{
    fn: "enqueue_command",
    as: `user:${jwt}`,
    args: {
      p_request_id: body.requestId,
      p_agent_id: AGENT.agentId,
      p_source: "wispro",
      p_action: "start",
      p_params: { mode: "full" },
    },
  }]);
  assertEquals(notifier.events, [{
    channel: `private-agent-${AGENT.agentId}`,
    event: "command.available",
    data: { commandId: COMMAND_ID },
  }]);
});

Deno.test("staff may not start a whole year: 403 and nothing written", async () => {
  const { request, calls, notifier } = createTestApp({ enqueue_command: accepted() });
  const response = await request("/commands", {
    json: command("ferrawin", "start", { mode: "year", year: 2025 }),
    headers: { Authorization: `Bearer ${await userToken("staff")}` },
  });
  assertEquals(response.status, 403);
  assertEquals((await response.json()).error.code, "forbidden");
  assertEquals([calls.length, notifier.events.length], [0, 0]);
});

Deno.test("no token, forged token, expired token and a user without role", async () => {
  const { request, calls } = createTestApp({ enqueue_command: accepted() });
  const json = command("ferrawin", "start", { mode: "incremental" });
  assertEquals((await request("/commands", { json })).status, 401);
  const forged = await signHs256({
    role: "authenticated",
    sub: "x",
    exp: 2e9,
    app_metadata: { role: "admin" },
  }, "wrong");
  assertEquals(
    (await request("/commands", { json, headers: { Authorization: `Bearer ${forged}` } })).status,
    401,
  );
  const expired = await signHs256(
    { role: "authenticated", sub: "x", exp: 1000, app_metadata: { role: "admin" } },
    JWT_SECRET,
  );
  assertEquals(
    (await request("/commands", { json, headers: { Authorization: `Bearer ${expired}` } })).status,
    401,
  );
  const anonKey = await signHs256({ role: "anon", exp: 2e9 }, JWT_SECRET);
  assertEquals(
    (await request("/commands", { json, headers: { Authorization: `Bearer ${anonKey}` } })).status,
    401,
  );
  const noRole = await request("/commands", {
    json,
    headers: { Authorization: `Bearer ${await userToken(null)}` },
  });
  assertEquals(noRole.status, 403);
  assertEquals(calls.length, 0);
});

Deno.test("invalid commands get 422 with issues", async () => {
  const { request } = createTestApp();
  const response = await request("/commands", {
    json: { ...command("ferrawin", "start", { mode: "weekly" }) },
    headers: { Authorization: `Bearer ${await userToken("admin")}` },
  });
  assertEquals(response.status, 422);
  const body = await response.json();
  assertEquals(body.error.code, "validation_failed");
  assertEquals(body.error.issues.length > 0, true);
});

Deno.test("a repeated request id answers 200 without ringing; a conflict is 409", async () => {
  const duplicate = createTestApp({
    enqueue_command: accepted({ duplicate: true, status: "claimed" }),
  });
  const headers = { Authorization: `Bearer ${await userToken("staff")}` };
  const json = command("ferrawin", "pause");
  const response = await duplicate.request("/commands", { json, headers });
  assertEquals(response.status, 200);
  assertEquals(duplicate.notifier.events, []);

  const conflict = createTestApp({
    enqueue_command: () => {
      throw new ScriptedRpcError({
        code: "PT409",
        message: "a ferrawin run is already active",
        details: "sync_already_active",
        hint: "pause or cancel it first",
      }, 409);
    },
  });
  const refused = await conflict.request("/commands", { json, headers });
  assertEquals(refused.status, 409);
  const body = await refused.json();
  assertEquals(body.error.code, "sync_already_active");
  assertEquals(body.error.message, "a ferrawin run is already active. pause or cancel it first");
});

Deno.test("a Pusher outage never fails the command", async () => {
  const { request, notifier, logs } = createTestApp({ enqueue_command: accepted() });
  notifier.failWith = new Error("ECONNREFUSED");
  const response = await request("/commands", {
    json: command("ferrawin", "start", { mode: "incremental" }),
    headers: { Authorization: `Bearer ${await userToken("admin")}` },
  });
  assertEquals(response.status, 201);
  assertEquals(
    logs.some((l) => l.level === "warn" && String(l.error).includes("ECONNREFUSED")),
    true,
  );
});

/** A body that records whether anything pulled a single chunk from it. */
function watchedBody(bytes: Uint8Array) {
  const state = { pulled: false };
  // highWaterMark 0: the stream pulls only when someone reads, never on its own.
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulled = true;
      controller.enqueue(bytes);
      controller.close();
    },
  }, { highWaterMark: 0 });
  return { body, state };
}

Deno.test("an account with no Puente role is refused before any byte of the body is read", async () => {
  const { app, calls } = createTestApp({ enqueue_command: accepted() });
  const { body, state } = watchedBody(
    new TextEncoder().encode(JSON.stringify(command("ferrawin", "pause"))),
  );
  const response = await app.request("/sync/commands", {
    method: "POST",
    headers: {
      Authorization: `Bearer ${await userToken(null)}`,
      "content-type": "application/json",
      "content-encoding": "gzip",
    },
    body,
    duplex: "half",
  } as RequestInit);
  assertEquals(response.status, 403);
  assertEquals(state.pulled, false);
  assertEquals(calls, []);
});

Deno.test("/commands reads at most a few KiB: a larger body (plain or inflated) is 413", async () => {
  const { request, calls } = createTestApp({ enqueue_command: accepted() });
  const padded = { ...command("ferrawin", "pause"), params: { note: "x".repeat(20 * 1024) } };
  const plain = await request("/commands", {
    json: padded,
    headers: { Authorization: `Bearer ${await userToken("admin")}` },
  });
  assertEquals(plain.status, 413);
  const zeros = new Blob([new Uint8Array(1024 * 1024).fill(0x20)]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  const inflated = await request("/commands", {
    method: "POST",
    body: new Uint8Array(await new Response(zeros).arrayBuffer()),
    headers: {
      Authorization: `Bearer ${await userToken("staff")}`,
      "content-type": "application/json",
      "content-encoding": "gzip",
    },
  });
  assertEquals(inflated.status, 413);
  assertEquals(calls, []);
});
