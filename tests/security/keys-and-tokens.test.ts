// Keys and tokens: agent keys are stored only as hashes, revoking one takes effect on the very next
// request (HTTP and channel auth), expired, forged and unsigned JWTs are refused by the edge and by
// the gateway, and a staff account cannot make itself admin.
import { describe, expect, test } from "bun:test";
import { createHash, createHmac } from "node:crypto";
import { signJwt } from "../../devstack/src/gateway/jwt.ts";
import {
  callEdge,
  callRpc,
  channelAuth,
  connectDb,
  createAgent,
  mintUserToken,
  openRun,
  postPause,
  RawPusherClient,
  supabaseFor,
  useStackWithPeople,
  uuid,
} from "./support.ts";

const env = useStackWithPeople();

describe("agent keys", () => {
  test("a key is stored only as its SHA-256: no column of any table holds the key", async () => {
    const agent = await createAgent(env.stack.info, env.people.admin, "hash-only");
    // Use it, so every place a key could end up (runs, events, commands, logs in tables) has had a chance.
    const runId = await openRun(env.stack.info, agent.key, "ferrawin", { mode: "all" });
    await callEdge(env.stack.info, `/agent/runs/${runId}/finish`, {
      agentKey: agent.key,
      body: { status: "failed", done: 0, error: { code: "x", message: "test" } },
    });
    const sql = connectDb(env.stack.info);
    try {
      const [row] = await sql`select * from public.agents where id = ${agent.agentId}`;
      expect(row).toBeDefined();
      expect(Object.values(row!).some((v) => String(v).includes(agent.key))).toBe(false);
      expect(row!.key_hash).toBe(createHash("sha256").update(agent.key).digest("hex"));
      const tables = await sql<{ name: string }[]>`
        select format('%I.%I', schemaname, tablename) as name from pg_tables
        where schemaname in ('public', 'auth', 'private')`;
      for (const { name } of tables) {
        const [hit] = await sql.unsafe(
          `select count(*)::int as n from ${name} t where t::text like '%' || $1 || '%'`,
          [agent.key],
        );
        expect(`${name}: ${hit?.n}`).toBe(`${name}: 0`);
      }
    } finally {
      await sql.end();
    }
  });

  test("revoking a key takes effect on the next request: routes, channel auth and new commands", async () => {
    const info = env.stack.info;
    const agent = await createAgent(info, env.people.admin, "to-revoke");
    const channel = `private-agent-${agent.agentId}`;
    const runId = await openRun(info, agent.key, "ferrawin", { mode: "all" });
    // Before: the agent works and holds a subscription to its doorbell.
    const socket = await RawPusherClient.connect(info);
    try {
      const signed = await channelAuth(info, { agentKey: agent.key }, socket.socketId, channel);
      expect(signed.status).toBe(200);
      expect(await socket.subscribe(channel, signed.auth)).toBe(true);
      expect(
        (await callEdge(info, "/agent/commands/claim", { agentKey: agent.key, body: {} })).status,
      )
        .toBe(200);

      expect(
        (await callRpc(info, "revoke_agent", { p_agent_id: agent.agentId }, env.people.admin))
          .status,
      )
        .toBe(204);

      // After, with no wait: every agent route, the run it had open, and channel auth are refused.
      const after: [string, unknown][] = [
        ["/agent/commands/claim", {}],
        ["/agent/fingerprints", {}],
        ["/agent/heartbeat", { version: "1", hostname: "pc" }],
        [`/agent/runs/${runId}/progress`, { done: 1 }],
        [`/agent/runs/${runId}/batches`, { kind: "customers", seq: 0, customers: [] }],
        [`/agent/runs/${runId}/finish`, { status: "completed", done: 0 }],
        ["/agent/runs", { source: "wispro", params: { mode: "full" } }],
      ];
      for (const [path, body] of after) {
        const answer = await callEdge(info, path, { agentKey: agent.key, body });
        expect(`${path}: ${answer.status} ${answer.body?.error?.code}`).toBe(
          `${path}: 401 unauthorized`,
        );
        expect(answer.body.error.message).toContain("revoked");
      }
      const reauth = await channelAuth(info, { agentKey: agent.key }, socket.socketId, channel);
      expect(reauth.status).toBe(401);
      expect(reauth.auth).toBeUndefined();
      const presence = await channelAuth(
        info,
        { agentKey: agent.key },
        socket.socketId,
        "presence-agents",
      );
      expect(presence.status).toBe(401);
      // A fresh connection (what pusher-js does on every reconnect) cannot subscribe any more.
      const again = await RawPusherClient.connect(info);
      try {
        const retry = await channelAuth(info, { agentKey: agent.key }, again.socketId, channel);
        expect(await again.subscribe(channel, retry.auth)).toBe(false);
      } finally {
        again.close();
      }
      // Nobody can send the revoked agent new work, so its old subscription carries no more doorbells.
      const command = await callEdge(info, "/commands", {
        token: env.people.admin,
        body: {
          requestId: uuid(),
          agentId: agent.agentId,
          source: "ferrawin",
          action: "start",
          params: { mode: "incremental" },
        },
      });
      expect(command.status).toBe(404);
      expect(await socket.next((f) => f.event === "command.available", 500)).toBeNull();
    } finally {
      socket.close();
    }
  });

  test("unknown, short and look-alike keys are refused the same way", async () => {
    const known = env.stack.info.agent.key;
    for (
      const key of [
        "pk_" + "0".repeat(64),
        known.slice(0, -1),
        known.toUpperCase(),
        ` ${known}x`,
        "short",
        createHash("sha256").update(known).digest("hex"), // the stored hash is not a key
      ]
    ) {
      const answer = await callEdge(env.stack.info, "/agent/commands/claim", {
        agentKey: key,
        body: {},
      });
      expect(`${key.slice(0, 12)}…: ${answer.status}`).toBe(`${key.slice(0, 12)}…: 401`);
    }
  });
});

describe("JWTs", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const adminClaims = () => ({
    aud: "authenticated",
    role: "authenticated",
    sub: uuid(),
    app_metadata: { role: "admin" },
  });
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const tokens = () => {
    const secret = env.stack.info.jwtSecret;
    const unsigned = `${b64({ alg: "none", typ: "JWT" })}.${
      b64({ ...adminClaims(), exp: now() + 600 })
    }.`;
    const hs512Body = `${b64({ alg: "HS512", typ: "JWT" })}.${
      b64({ ...adminClaims(), exp: now() + 600 })
    }`;
    return {
      "expired (right secret)": signJwt({ ...adminClaims(), exp: now() - 60 }, secret),
      "wrong secret": signJwt({ ...adminClaims(), exp: now() + 600 }, `${secret}x`),
      "alg none": unsigned,
      "HS512 with the right secret": `${hs512Body}.${
        createHmac("sha512", secret).update(hs512Body).digest("base64url")
      }`,
      "service_role forged with a wrong secret": signJwt(
        { role: "service_role", exp: now() + 600 },
        "not-the-secret",
      ),
      "tampered claims": (() => {
        const [h, , s] = mintUserToken(secret, { role: "staff" }).split(".");
        return `${h}.${b64({ ...adminClaims(), exp: now() + 600 })}.${s}`;
      })(),
    };
  };

  test("expired, forged, unsigned and tampered tokens are refused by the edge and by the gateway", async () => {
    const info = env.stack.info;
    const results: string[] = [];
    for (const [name, token] of Object.entries(tokens())) {
      const edge = await postPause(info, token);
      const channel = await channelAuth(info, { token }, "1.1", "private-sync-status");
      const rpc = await callRpc(info, "sync_overview", {}, token);
      const create = await callRpc(info, "create_agent", { p_name: "nope" }, token);
      results.push(
        `${name}: edge ${edge.status}, pusher auth ${channel.status}, rpc ${rpc.status}/${create.status}`,
      );
    }
    expect(results).toEqual(
      Object.keys(tokens()).map((name) => `${name}: edge 401, pusher auth 401, rpc 401/401`),
    );
  });

  test("API keys are not people: the anon and service keys cannot act as a user at the edge", async () => {
    for (const key of [env.stack.info.anonKey, env.stack.info.serviceRoleKey]) {
      const answer = await postPause(env.stack.info, key);
      expect(answer.status).toBe(401);
    }
  });

  test("a staff account cannot make itself admin", async () => {
    const info = env.stack.info;
    // GoTrue lets a user edit only user_metadata; a token that says "admin" there is still staff.
    const client = supabaseFor(info);
    await client.auth.signInWithPassword(info.users.staff);
    const update = await client.auth.updateUser({ data: { role: "admin" } });
    const { data: session } = await client.auth.getSession();
    const roleAfter = JSON.parse(
      Buffer.from(session.session!.access_token.split(".")[1]!, "base64url").toString(),
    ).app_metadata?.role;
    expect(`${update.error ? "update refused" : "update accepted"}; app_metadata.role ${roleAfter}`)
      .toMatch(/; app_metadata\.role staff$/);
    const selfStyled = mintUserToken(info.jwtSecret, {
      role: "staff",
      userMetadata: { role: "admin" },
    });
    const yearSync = await callEdge(info, "/commands", {
      token: selfStyled,
      body: {
        requestId: uuid(),
        agentId: info.agent.id,
        source: "ferrawin",
        action: "start",
        params: { mode: "all" },
      },
    });
    expect(yearSync.status).toBe(403);
    expect((await callRpc(info, "create_agent", { p_name: "x" }, selfStyled)).status).toBe(403);
    expect(
      (await callRpc(info, "set_schedule", {
        p_agent_id: info.agent.id,
        p_source: "ferrawin",
        p_interval_minutes: 5,
      }, selfStyled)).status,
    ).toBe(403);
    // Only the service key may create users or set app_metadata.
    const createAdmin = await fetch(`${info.supabaseUrl}/auth/v1/admin/users`, {
      method: "POST",
      headers: {
        apikey: info.anonKey,
        authorization: `Bearer ${env.people.staff}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({
        email: "evil@puente.local",
        password: "x-1234567",
        app_metadata: { role: "admin" },
      }),
    });
    expect(createAdmin.status).toBe(403);
    const sql = connectDb(info);
    try {
      const users = await sql`select 1 from auth.users where email = 'evil@puente.local'`;
      expect(users.length).toBe(0);
    } finally {
      await sql.end();
    }
  });
});
