// Hostile input for every route that takes a body, through the real path (gateway → edge → Postgres):
// variants generated from the protocol's zod schemas (wrong type, missing, extra field, boundary
// numbers, oversized strings, SQL/T-SQL injection and Unicode tricks in every string field), plus
// hand-written attacks (arrays past the batch limits, 10,000-level nesting, NUL bytes, lone surrogates,
// overlong UTF-8, homoglyph codes, wrong content types, broken gzip, a 1 GB gzip bomb, a body past the
// limit). Each is answered with the documented status and code, and no table changes. Last, the agent:
// T-SQL injection through its sync parameters is refused by the CLI and inert in the source's queries.
import { afterAll, describe, expect, test } from "bun:test";
import { createGzip, gzipSync } from "node:zlib";
import type { z } from "zod";
import {
  ClaimRequest,
  CommandRequest,
  FingerprintsRequest,
  Heartbeat,
  IngestBatch,
  MAX_CUSTOMERS_PER_BATCH,
  MAX_ELEMENTOS_PER_PLANILLA,
  MAX_PLANILLAS_PER_BATCH,
  MAX_REJECTS_PER_BATCH,
  RunFinish,
  RunOpenRequest,
  RunProgress,
} from "@puente/protocol";
import { agentSpawnOptions, newAgentHome } from "../../devstack/src/agent-process.ts";
import { BODY_LIMITS } from "../../edge/_shared/body-limits.ts";
import {
  type AgentCredentials,
  callEdge,
  connectDb,
  createAgent,
  DatabaseWatch,
  ferrawinSourceFor,
  openRun,
  samplePlanilla,
  useStackWithPeople,
  uuid,
} from "./support.ts";

let watch: DatabaseWatch;
let agent: AgentCredentials;
let runF: string;
let runW: string;
const tally = { tried: 0, written: 0, inert: 0 };
const failures: string[] = [];

const env = useStackWithPeople({
  ready: async () => {
    watch = await DatabaseWatch.open(env.stack.info);
    agent = await createAgent(env.stack.info, env.people.admin, "hostile");
    runF = await openRun(env.stack.info, agent.key, "ferrawin", { mode: "all" });
    runW = await openRun(env.stack.info, agent.key, "wispro", { mode: "full" });
  },
  beforeStop: () => watch?.close(),
});

afterAll(() => {
  console.log(
    `hostile inputs: ${tally.tried} tried, ${tally.written} written` +
      ` (and ${tally.inert} injection/Unicode strings accepted as plain text, stored verbatim, nothing else touched)`,
  );
});

// ---------------------------------------------------------------------------------------------------
// Payloads

const SQL_INJECTIONS = [
  "'; DROP TABLE public.planillas; --",
  "' OR '1'='1",
  "1; DELETE FROM public.agents WHERE true; --",
  '\'); update auth.users set raw_app_meta_data = \'{"role":"admin"}\'; --',
  "$$; select pg_sleep(10); $$",
  "\\'; copy (select '') to program 'id'; --",
];
const TSQL_INJECTIONS = [
  "2025-1'; DROP TABLE ORD_HEAD; --",
  "2025-000001' OR '1'='1",
  "'; EXEC xp_cmdshell 'whoami'; --",
  "1 UNION SELECT name, password_hash FROM sys.sql_logins --",
  "'; WAITFOR DELAY '0:0:10'; --",
  "[ORD_HEAD]; SHUTDOWN WITH NOWAIT; --",
];
/** Valid Unicode a person could paste: stored verbatim where free text is allowed, refused in codes. */
const UNICODE_TRICKS = [
  "2025-\u202E100000", // RTL override
  "２０２５-０００００１", // full-width digits (homoglyphs)
  "2025-0000\u200B01", // zero-width space
  "В-12345678", // Cyrillic В for the nationality letter
  "a\u0301\u0301\u0301\u0301", // stacked combining marks
  "\uFEFFbom",
];
const STRING_ATTACKS = [...SQL_INJECTIONS, ...TSQL_INJECTIONS, ...UNICODE_TRICKS];
const OVERSIZED = "A".repeat(100_001);
const WRONG_TYPES: unknown[] = [7, -1, "x", true, null, [], {}];
const BOUNDARY_NUMBERS = [-1, 0.5, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, 1e-9];

// ---------------------------------------------------------------------------------------------------
// Schema-driven variants

type Path = (string | number)[];

function leafPaths(value: unknown, path: Path = []): Path[] {
  if (Array.isArray(value)) {
    return [
      ...(path.length ? [path] : []),
      ...value.flatMap((item, i) => leafPaths(item, [...path, i])),
    ];
  }
  if (value && typeof value === "object") {
    return [
      ...(path.length ? [path] : []),
      ...Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...path, k])),
    ];
  }
  return [path];
}

function getAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], value);
}

function withAt(value: unknown, path: Path, replace: (old: unknown) => unknown | typeof DELETE) {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>(
    (node, key) => node[key] as Record<string | number, unknown>,
    copy,
  );
  const key = path.at(-1)!;
  const next = replace(parent[key]);
  if (next === DELETE) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else parent[key] = next;
  return copy;
}
const DELETE = Symbol("delete");

interface Variant {
  name: string;
  body: unknown;
  /** The string attack a variant carries, when it is one. */
  attack?: string;
}

/** Per field: wrong types, missing, an extra field, boundary numbers, oversized and attack strings. */
function variantsOf(base: unknown): Variant[] {
  const variants: Variant[] = [];
  for (const path of leafPaths(base)) {
    const name = path.join(".");
    const original = getAt(base, path);
    for (const wrong of WRONG_TYPES) {
      if (typeof wrong === typeof original && Array.isArray(wrong) === Array.isArray(original)) {
        continue;
      }
      variants.push({
        name: `${name} = ${JSON.stringify(wrong)}`,
        body: withAt(base, path, () => wrong),
      });
    }
    variants.push({ name: `${name} missing`, body: withAt(base, path, () => DELETE) });
    if (original && typeof original === "object" && !Array.isArray(original)) {
      variants.push({
        name: `${name} + extra field`,
        body: withAt(base, path, (o) => ({ ...(o as object), sql: "select 1" })),
      });
    }
    if (typeof original === "number") {
      for (const n of BOUNDARY_NUMBERS) {
        variants.push({ name: `${name} = ${n}`, body: withAt(base, path, () => n) });
      }
    }
    if (typeof original === "string") {
      variants.push({ name: `${name} oversized`, body: withAt(base, path, () => OVERSIZED) });
      for (const attack of STRING_ATTACKS) {
        variants.push({
          name: `${name} = ${JSON.stringify(attack)}`,
          body: withAt(base, path, () => attack),
          attack,
        });
      }
    }
  }
  variants.push({ name: "extra top-level field", body: { ...(base as object), admin: true } });
  return variants;
}

// ---------------------------------------------------------------------------------------------------
// Sending and judging

interface Send {
  path: string;
  token?: string;
  agentKey?: string;
  raw?: BodyInit;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Sends `send` and records a failure unless it is answered with `status` (and `code`). */
async function expectRefusal(label: string, send: Send, status: number, code?: string) {
  tally.tried++;
  const answer = await callEdge(env.stack.info, send.path, send);
  const gotCode = answer.body?.error?.code;
  if (answer.status !== status || (code && gotCode !== code)) {
    failures.push(
      `${label}: ${answer.status} ${gotCode}, expected ${status} ${code ?? ""} ${
        JSON.stringify(answer.body).slice(0, 160)
      }`,
    );
  }
}

/** A request that must be refused with `status` (and `code`) and write nothing (checked alone). */
async function refused(label: string, send: Send, status: number, code?: string): Promise<void> {
  const changed = await watch.changedBy(() => expectRefusal(label, send, status, code));
  if (changed.length) {
    tally.written++;
    failures.push(`${label}: refused but changed ${changed.join(", ")}`);
  }
}

/** Runs `work` over `items`, `width` at a time. */
async function inPool<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** The edge's body limit for a route: a few KiB for all but batches (edge/_shared/body-limits.ts). */
function bodyLimitOf(path: string): number {
  if (path === "/commands") return BODY_LIMITS.commands;
  if (path === "/pusher/auth") return BODY_LIMITS.pusherAuth;
  if (path === "/agent/commands/claim") return BODY_LIMITS.claim;
  if (path === "/agent/fingerprints") return BODY_LIMITS.fingerprints;
  if (path === "/agent/runs") return BODY_LIMITS.openRun;
  if (path === "/agent/heartbeat") return BODY_LIMITS.heartbeat;
  if (path.endsWith("/progress")) return BODY_LIMITS.progress;
  if (path.endsWith("/finish")) return BODY_LIMITS.finish;
  return Infinity; // batches: PUENTE_MAX_BODY_BYTES, far above any variant here
}

/**
 * Sends every variant the schema refuses and expects 422 validation_failed (413 payload_too_large when
 * the variant's body is past the route's limit, which is read before any parsing); the tables are compared
 * around the whole group (a refused request writes nothing, so any change is a failure). A variant the
 * schema accepts is not hostile; if it carries an attack string, `accept` sends it as the plain text it
 * is, after the group (without `accept`, no attack string may be accepted at all; "not sent" skips them).
 */
async function sendVariants(
  route: string,
  schema: z.ZodType,
  base: unknown,
  send: (body: unknown) => Send,
  accept?: ((variant: Variant) => Promise<void>) | "not sent",
): Promise<string[]> {
  const all = variantsOf(base);
  const hostile = all.filter((v) => !schema.safeParse(v.body).success);
  const changed = await watch.changedBy(() =>
    inPool(
      hostile,
      4,
      (v) => {
        const request = send(v.body);
        return Buffer.byteLength(JSON.stringify(v.body) ?? "") > bodyLimitOf(request.path)
          ? expectRefusal(`${route} ${v.name}`, request, 413, "payload_too_large")
          : expectRefusal(`${route} ${v.name}`, request, 422, "validation_failed");
      },
    )
  );
  if (changed.length) {
    tally.written += hostile.length;
    failures.push(`${route}: refused variants changed ${changed.join(", ")}`);
  }
  expect(hostile.length).toBeGreaterThan(20);
  const accepted = all.filter((v) => v.attack !== undefined && schema.safeParse(v.body).success);
  if (!accept) {
    for (const v of accepted) failures.push(`${route} accepted an attack: ${v.name}`);
    return [];
  }
  if (accept === "not sent") return [];
  tally.inert += accepted.length;
  // Tables the accepted plain-text variants changed, for the caller to compare with what they may touch.
  // One at a time: they upsert the same keys, and concurrent twins would race each other, not the edge.
  return await watch.changedBy(() => inPool(accepted, 1, accept));
}

const json = { "content-type": "application/json" };
const gzipHeaders = { "content-type": "application/json", "content-encoding": "gzip" };
const iso = () => new Date().toISOString();
const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

function fullPlanilla(code: string) {
  return {
    ...samplePlanilla(code, 1),
    ensamblado: "E1",
    entidades: [{
      linea: "1",
      marca: "V1",
      situacion: "Planta 1",
      cantidad: 2,
      miembros: 1,
      modelo: "M",
      cotas: "10/20",
      composicion: { estribos: 1 },
      distribucion: { superior: 2 },
    }],
  };
}

function fullCustomer() {
  return {
    wispro_id: uuid(),
    public_id: 17,
    custom_id: "C-17",
    name: "Ana Pérez",
    email: "ana@example.com",
    phone: "0212",
    phone_mobile: "0414",
    national_id_raw: "12.345.678",
    id_number: "V-12345678",
    zone: "Centro",
    address: "Calle 1",
    city: "Caracas",
    details: "V",
    wispro_created_at: "2024-01-01T00:00:00Z",
    wispro_updated_at: "2024-01-02T00:00:00Z",
  };
}

let seq = 100;
const planillaBatch = (planillas: unknown[], extra: Record<string, unknown> = {}) => ({
  v: 1,
  kind: "planillas",
  seq: seq++,
  planillas,
  rejects: [{
    record_key: "2025-000999",
    reason: "missing_obra",
    detail: "sin obra",
    payload: { fingerprint: "x" },
  }],
  ...extra,
});

// ---------------------------------------------------------------------------------------------------

describe("hostile input is refused with the documented status and writes nothing", () => {
  test("POST /commands: schema variants and injection in every string field", async () => {
    // A target agent with nothing active, so the valid control below is accepted.
    const target = await createAgent(env.stack.info, env.people.admin, "command-target");
    const base = {
      v: 1,
      requestId: uuid(),
      agentId: target.agentId,
      source: "ferrawin",
      action: "start",
      params: { mode: "year", year: 2025, fromCode: "2025-000010" },
    };
    const send = (body: unknown): Send => ({ path: "/commands", token: env.people.admin, body });
    // Every string here is an id, an enum or a code: an attack string is never a valid one.
    await sendVariants("/commands", CommandRequest, base, send);
    await sendVariants("/commands one", CommandRequest, {
      ...base,
      requestId: uuid(),
      params: { mode: "one", code: "2025-000001" },
    }, send);
    // The control: the base is accepted and writes, so the checksums above would have seen a write.
    const written = await watch.changedBy(async () => {
      expect((await callEdge(env.stack.info, "/commands", send(base))).status).toBe(201);
    });
    expect(written).toContain("public.commands");
    expect(failures.splice(0)).toEqual([]);
  });

  test("agent routes: claim, fingerprints, runs, progress, heartbeat, finish", async () => {
    const as = (path: string) => (body: unknown): Send => ({ path, agentKey: agent.key, body });
    await sendVariants(
      "/agent/commands/claim",
      ClaimRequest,
      { v: 1, limit: 10 },
      as("/agent/commands/claim"),
    );
    await sendVariants(
      "/agent/fingerprints",
      FingerprintsRequest,
      { v: 1, year: 2025 },
      as("/agent/fingerprints"),
    );
    await sendVariants("/agent/runs", RunOpenRequest, {
      v: 1,
      commandId: null,
      source: "ferrawin",
      params: { mode: "year", year: 2025, fromCode: "2025-000010" },
      scheduled: false,
      resumeRunId: runF,
      total: 5,
    }, as("/agent/runs"));
    const progress = {
      v: 1,
      status: "running",
      total: 10,
      done: 1,
      counts: { planillas: { created: 1, updated: 0, unchanged: 0, deleted: 0, rejected: 0 } },
      cursor: { source: "ferrawin", lastCode: "2025-000001" },
      ratePerS: 1.5,
      lastItem: { code: "2025-000001", cliente: "c", obra: "o" },
      events: [{ level: "info", message: "m", at: iso() }],
    };
    const progressPath = `/agent/runs/${runF}/progress`;
    // Free text (a log line, a client's name) is accepted as it came and touches only the run and its log.
    const progressTouched = await sendVariants(
      progressPath,
      RunProgress,
      progress,
      as(progressPath),
      async (v) => {
        const answer = await callEdge(env.stack.info, progressPath, as(progressPath)(v.body));
        if (answer.status !== 200) failures.push(`${progressPath} ${v.name}: ${answer.status}`);
      },
    );
    expect(
      progressTouched.filter((t) =>
        !["public.runs", "public.run_events", "public.agents"].includes(t)
      ),
    )
      .toEqual([]);
    await sendVariants(
      "/agent/heartbeat",
      Heartbeat,
      {
        v: 1,
        version: "1.0.0",
        hostname: "pc",
        activeRunId: runF,
      },
      as("/agent/heartbeat"),
      async (v) => {
        const answer = await callEdge(
          env.stack.info,
          "/agent/heartbeat",
          as("/agent/heartbeat")(v.body),
        );
        if (answer.status !== 200) failures.push(`/agent/heartbeat ${v.name}: ${answer.status}`);
      },
    );
    const finishPath = `/agent/runs/${runW}/finish`;
    await sendVariants(
      finishPath,
      RunFinish,
      {
        v: 1,
        status: "failed",
        total: 1,
        done: 1,
        counts: {},
        error: { code: "x", message: "y" },
        events: [{ level: "error", message: "m", at: iso() }],
      },
      as(finishPath),
      "not sent",
    ); // accepted text would finish the run the other cases need
    // Arrays past their limits.
    const tooManyEvents = Array.from({ length: 201 }, () => ({
      level: "info",
      message: "m",
      at: iso(),
    }));
    await refused(
      "progress with 201 events",
      as(progressPath)({ done: 1, events: tooManyEvents }),
      422,
      "validation_failed",
    );
    await refused(
      "finish with 201 events",
      as(finishPath)({ status: "completed", done: 1, events: tooManyEvents }),
      422,
      "validation_failed",
    );
    // Free text that Postgres cannot store is refused before it gets there.
    await refused(
      "progress event with a NUL byte",
      {
        path: progressPath,
        agentKey: agent.key,
        raw: `{"done":1,"events":[{"level":"info","message":"a\\u0000b","at":"${iso()}"}]}`,
        headers: json,
      },
      422,
      "validation_failed",
    );
    await refused(
      "heartbeat hostname with a lone surrogate",
      {
        path: "/agent/heartbeat",
        agentKey: agent.key,
        raw: '{"version":"1","hostname":"pc\\ud800"}',
        headers: json,
      },
      422,
      "validation_failed",
    );
    // Run ids in the path.
    for (const id of ["../../admin", "' OR 1=1 --", "x".repeat(10_000), "%00", uuid()]) {
      await refused(
        `progress for run ${id.slice(0, 20)}`,
        as(`/agent/runs/${encodeURIComponent(id)}/progress`)({
          done: 1,
        }),
        404,
        "not_found",
      );
    }
    expect(failures.splice(0)).toEqual([]);
  });

  test("POST /agent/runs/:id/batches: planillas and customers, every field, limits and nesting", async () => {
    const send = (runId: string) => (body: unknown): Send => ({
      path: `/agent/runs/${runId}/batches`,
      agentKey: agent.key,
      body,
    });
    const sql = `/agent/runs/${runF}/batches`;
    const base = planillaBatch([fullPlanilla("2025-000500")]);
    // Accepted as plain text: stored verbatim, and nothing beyond the batch's own tables moves.
    const batchTables = [
      "public.planillas",
      "public.elementos",
      "public.entidades",
      "public.obras",
      "public.clientes",
      "public.runs",
      "public.ingest_batches",
      "public.run_rejects",
      "public.customers",
      // The change journal the ingest writes for each planilla it creates, updates or rejects.
      "public.planilla_changes",
    ];
    const touched = await sendVariants(sql, IngestBatch, base, send(runF), async (v) => {
      const answer = await callEdge(
        env.stack.info,
        sql,
        send(runF)({ ...(v.body as object), seq: seq++ }),
      );
      if (answer.status !== 200) {
        failures.push(`${sql} ${v.name}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    });
    expect(touched.filter((t) => !batchTables.includes(t))).toEqual([]);
    // Verbatim: the last accepted descripcion attack is what the table holds.
    const stored = await callEdge(
      env.stack.info,
      sql,
      send(runF)(planillaBatch([{
        ...fullPlanilla("2025-000501"),
        descripcion: SQL_INJECTIONS[0],
      }])),
    );
    expect(stored.status).toBe(200);
    const db = connectDb(env.stack.info);
    try {
      const [row] = await db`select descripcion from public.planillas where codigo = '2025-000501'`;
      expect(row?.descripcion).toBe(SQL_INJECTIONS[0]);
    } finally {
      await db.end();
    }

    const customers = {
      v: 1,
      kind: "customers",
      seq: seq++,
      page: 1,
      customers: [fullCustomer()],
      rejects: [],
    };
    const customersTouched = await sendVariants(
      `/agent/runs/${runW}/batches`,
      IngestBatch,
      customers,
      send(runW),
      async (v) => {
        const body = { ...(v.body as object), seq: seq++ };
        const answer = await callEdge(
          env.stack.info,
          `/agent/runs/${runW}/batches`,
          send(runW)(body),
        );
        if (answer.status !== 200) {
          failures.push(`customers ${v.name}: ${answer.status} ${JSON.stringify(answer.body)}`);
        }
      },
    );
    expect(customersTouched.filter((t) => !batchTables.includes(t))).toEqual([]);

    // Arrays past the batch limits (each element valid, so only the size is wrong).
    const empty = (n: number) => ({ ...samplePlanilla(`2025-${String(n).padStart(6, "0")}`, 0) });
    await refused(
      `${MAX_PLANILLAS_PER_BATCH + 1} planillas`,
      send(runF)(
        planillaBatch(Array.from({ length: MAX_PLANILLAS_PER_BATCH + 1 }, (_, i) => empty(i + 1))),
      ),
      422,
      "validation_failed",
    );
    await refused(
      `${MAX_ELEMENTOS_PER_PLANILLA + 1} elementos in one planilla`,
      send(runF)(planillaBatch([samplePlanilla("2025-000600", MAX_ELEMENTOS_PER_PLANILLA + 1)])),
      422,
      "validation_failed",
    );
    await refused(
      `${MAX_CUSTOMERS_PER_BATCH + 1} customers`,
      send(runW)({
        kind: "customers",
        seq: seq++,
        customers: Array.from({ length: MAX_CUSTOMERS_PER_BATCH + 1 }, fullCustomer),
      }),
      422,
      "validation_failed",
    );
    await refused(
      `${MAX_REJECTS_PER_BATCH + 1} rejects`,
      send(runF)(planillaBatch([], {
        rejects: Array.from({ length: MAX_REJECTS_PER_BATCH + 1 }, (_, i) => ({
          record_key: `k${i}`,
          reason: "blank_key",
        })),
      })),
      422,
      "validation_failed",
    );
    await refused(
      "the same planilla twice",
      send(runF)(planillaBatch([empty(7), empty(7)])),
      422,
      "validation_failed",
    );

    // Deep nesting where the schema takes free-form JSON, and as the whole body.
    const rawBatch = (entidadComposicion: string, payload = '{"fingerprint":"x"}') => {
      const planilla = JSON.stringify(fullPlanilla("2025-000700")).replace(
        '"composicion":{"estribos":1}',
        `"composicion":${entidadComposicion}`,
      );
      return `{"kind":"planillas","seq":${seq++},"planillas":[${planilla}],"rejects":[{"record_key":"k","reason":"missing_obra","payload":${payload}}]}`;
    };
    const nestedObject = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
    const rawCases: [string, string, number, string][] = [
      [
        "composicion nested 10,000 levels",
        rawBatch(`{"x":${nested(10_000)}}`),
        422,
        "validation_failed",
      ],
      [
        "reject payload nested 10,000 levels",
        rawBatch("null", nestedObject(10_000)),
        422,
        "validation_failed",
      ],
      ["whole body nested 10,000 levels", nested(10_000), 422, "validation_failed"],
      ["whole body nested 1,000,000 levels", nested(1_000_000), 422, "validation_failed"],
      [
        "NUL in descripcion",
        rawBatch("null").replace('"Planilla 2025-000700"', '"a\\u0000b"'),
        422,
        "validation_failed",
      ],
      ["NUL in a composicion key", rawBatch('{"k\\u0000":1}'), 422, "validation_failed"],
      [
        "lone high surrogate in marca",
        rawBatch("null").replace('"M1"', '"M\\ud800"'),
        422,
        "validation_failed",
      ],
      [
        "lone low surrogate in a payload key",
        rawBatch("null", '{"\\udc00":1}'),
        422,
        "validation_failed",
      ],
      [
        "__proto__ key",
        rawBatch("null").replace('{"kind"', '{"__proto__":{"admin":true},"kind"'),
        422,
        "validation_failed",
      ],
      [
        "constructor key",
        rawBatch("null").replace('{"kind"', '{"constructor":{"prototype":{}},"kind"'),
        422,
        "validation_failed",
      ],
      ["trailing garbage", `${rawBatch("null")} DROP TABLE planillas`, 400, "invalid_json"],
      [
        "NaN literal",
        rawBatch("null").replace(`"seq":${seq - 1}`, '"seq":NaN'),
        400,
        "invalid_json",
      ],
      ["single quotes", "{'kind':'planillas'}", 400, "invalid_json"],
      ["a comment", `/* x */${rawBatch("null")}`, 400, "invalid_json"],
    ];
    for (const [name, raw, status, code] of rawCases) {
      await refused(name, { path: sql, agentKey: agent.key, raw, headers: json }, status, code);
    }
    // Bytes that are not UTF-8: overlong encodings and stray bytes.
    const bytes = (...parts: (string | number[])[]) =>
      new Uint8Array(
        parts.flatMap((p) => typeof p === "string" ? [...new TextEncoder().encode(p)] : p),
      );
    await refused(
      "overlong UTF-8 for '/'",
      {
        path: sql,
        agentKey: agent.key,
        raw: bytes('{"kind":"planillas","seq":1,"planillas":[],"x":"', [0xc0, 0xaf], '"}'),
        headers: json,
      },
      400,
      "invalid_json",
    );
    await refused(
      "overlong UTF-8 NUL",
      {
        path: sql,
        agentKey: agent.key,
        raw: bytes('{"kind":"planillas","seq":1,"planillas":[],"x":"', [0xe0, 0x80, 0x80], '"}'),
        headers: json,
      },
      400,
      "invalid_json",
    );
    await refused(
      "a stray 0xFF byte",
      {
        path: sql,
        agentKey: agent.key,
        raw: bytes('{"kind":"planillas"', [0xff], "}"),
        headers: json,
      },
      400,
      "invalid_json",
    );
    expect(failures.splice(0)).toEqual([]);
  });

  test("bodies: content types, encodings, broken gzip, a 1 GB gzip bomb, a body past the limit", async () => {
    const path = `/agent/runs/${runF}/batches`;
    const valid = JSON.stringify(planillaBatch([fullPlanilla("2025-000800")]));
    const agentSend = (raw: BodyInit, headers: Record<string, string>): Send => ({
      path,
      agentKey: agent.key,
      raw,
      headers,
    });
    const cases: [string, Send, number, string][] = [
      [
        "text/plain",
        agentSend(valid, { "content-type": "text/plain" }),
        415,
        "unsupported_media_type",
      ],
      [
        "form",
        agentSend(valid, { "content-type": "application/x-www-form-urlencoded" }),
        415,
        "unsupported_media_type",
      ],
      [
        "multipart",
        agentSend(valid, { "content-type": "multipart/form-data; boundary=x" }),
        415,
        "unsupported_media_type",
      ],
      [
        "application/xml",
        agentSend("<batch/>", { "content-type": "application/xml" }),
        415,
        "unsupported_media_type",
      ],
      ["no content type", agentSend(new Blob([valid]), {}), 415, "unsupported_media_type"],
      [
        "Content-Encoding br",
        agentSend(valid, { ...json, "content-encoding": "br" }),
        415,
        "unsupported_media_type",
      ],
      [
        "Content-Encoding deflate",
        agentSend(valid, { ...json, "content-encoding": "deflate" }),
        415,
        "unsupported_media_type",
      ],
      [
        "gzip header, garbage after",
        agentSend(new Uint8Array([0x1f, 0x8b, 8, 0, 9, 9, 9, 9, 9]), gzipHeaders),
        400,
        "invalid_json",
      ],
      [
        "truncated gzip",
        agentSend(gzipSync(valid).subarray(0, 40), gzipHeaders),
        400,
        "invalid_json",
      ],
      ["gzip of gzip", agentSend(gzipSync(gzipSync(valid)), gzipHeaders), 400, "invalid_json"],
      ["plain JSON sent as gzip", agentSend(valid, gzipHeaders), 400, "invalid_json"],
      [
        "/commands gzip garbage",
        {
          path: "/commands",
          token: env.people.admin,
          raw: new Uint8Array([0x1f, 0x8b, 1, 2]),
          headers: gzipHeaders,
        },
        400,
        "invalid_json",
      ],
    ];
    for (const [name, send, status, code] of cases) await refused(name, send, status, code);

    // 1 GiB of zeros in ~1 MB of gzip: refused at the route's decompressed limit, never inflated whole.
    const bomb = await gzipBomb(1024);
    const started = performance.now();
    await refused(
      `gzip bomb (${bomb.byteLength} bytes → 1 GiB)`,
      agentSend(bomb, gzipHeaders),
      413,
      "payload_too_large",
    );
    console.log(
      `gzip bomb of ${bomb.byteLength} bytes refused in ${
        Math.round(performance.now() - started)
      } ms`,
    );
    await refused(
      "gzip bomb to /pusher/auth",
      {
        path: "/pusher/auth",
        agentKey: agent.key,
        raw: bomb,
        headers: gzipHeaders,
      },
      413,
      "payload_too_large",
    );
    // A plain body past the batches limit (16 MiB by default), and a form body past /pusher/auth's.
    const huge = new Uint8Array(65 * 1024 * 1024 + 1).fill(0x20);
    await refused("65 MiB plain body", agentSend(huge, json), 413, "payload_too_large");
    await refused(
      "20 MiB form body to /pusher/auth",
      {
        path: "/pusher/auth",
        token: env.people.staff,
        raw: `socket_id=1.1&channel_name=private-sync-status&x=${"a".repeat(20 * 1024 * 1024)}`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
      },
      413,
      "payload_too_large",
    );
    // The edge is still healthy afterwards.
    expect((await callEdge(env.stack.info, "/health")).status).toBe(200);
    expect(failures.splice(0)).toEqual([]);
  });

  test("POST /pusher/auth: injection and junk in socket ids and channel names", async () => {
    const form = (fields: Record<string, string>): Send => ({
      path: "/pusher/auth",
      token: env.people.staff,
      raw: new URLSearchParams(fields),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    for (const attack of [...STRING_ATTACKS, OVERSIZED.slice(0, 1000), "", "1.1\n2.2"]) {
      await refused(
        `socket_id ${JSON.stringify(attack.slice(0, 30))}`,
        form({
          socket_id: attack,
          channel_name: "private-sync-status",
        }),
        422,
        "validation_failed",
      );
      await refused(
        `channel_name ${JSON.stringify(attack.slice(0, 30))}`,
        form({
          socket_id: "1.1",
          channel_name: attack,
        }),
        422,
        "validation_failed",
      );
    }
    await refused(
      "JSON array body",
      {
        path: "/pusher/auth",
        token: env.people.staff,
        body: [{ socket_id: "1.1", channel_name: "private-sync-status" }],
      },
      422,
      "validation_failed",
    );
    await refused(
      "socket_id as an object",
      {
        path: "/pusher/auth",
        token: env.people.staff,
        body: { socket_id: { $gt: "" }, channel_name: "private-sync-status" },
      },
      422,
      "validation_failed",
    );
    expect(failures.splice(0)).toEqual([]);
  });

  test("the agent: T-SQL injection through --code, --from-code and --year is refused or inert", async () => {
    const info = env.stack.info;
    const home = newAgentHome();
    const attempts: string[][] = [
      ["sync", "ferrawin", "--mode", "one", "--code", "2025-1'; DROP TABLE ORD_HEAD; --"],
      ["sync", "ferrawin", "--mode", "one", "--code", "2025-000001' OR '1'='1"],
      ["sync", "ferrawin", "--mode", "year", "--year", "2025 OR 1=1"],
      ["sync", "ferrawin", "--mode", "year", "--year", "2025; SHUTDOWN"],
      ["sync", "ferrawin", "--mode", "year", "--year", "2025", "--from-code", "0' OR '1'='1"],
    ];
    const changed = await watch.changedBy(async () => {
      for (const args of attempts) {
        tally.tried++;
        const child = Bun.spawn({
          ...agentSpawnOptions(info, args, home),
          stdout: "pipe",
          stderr: "pipe",
        });
        const [code, err] = await Promise.all([child.exited, new Response(child.stderr).text()]);
        if (code !== 2) {
          failures.push(`puente-agent ${args.join(" ")}: exit ${code}, expected 2 (${err.trim()})`);
        }
      }
    });
    if (changed.length) {
      tally.written++;
      failures.push(`refused agent syncs changed ${changed.join(", ")}`);
    }

    // Past the CLI, the source sends every value as a parameter: an injection matches nothing.
    const source = ferrawinSourceFor(info);
    try {
      const all = await source.count({ mode: "all" });
      expect(all).toBeGreaterThan(0);
      // A planilla of the fixture's busiest year, so an injection that ran would select several.
      const codes: string[] = [];
      for await (
        const item of source.extract({ mode: "all" }, {
          signal: new AbortController().signal,
          log: () => {},
          cursor: null,
        })
      ) {
        if (item.kind === "planilla") codes.push(item.code);
      }
      const perYear = new Map<string, string[]>();
      for (const code of codes) {
        perYear.set(code.slice(0, 4), [...(perYear.get(code.slice(0, 4)) ?? []), code]);
      }
      const [busiest, inBusiest] = [...perYear].sort((a, b) => b[1].length - a[1].length)[0]!;
      const first = inBusiest[0]!;
      const year = Number(busiest);
      expect(await source.count({ mode: "year", year })).toBeGreaterThan(1);
      expect(await source.count({ mode: "one", code: first! })).toBe(1);
      const injected: [string, Parameters<typeof source.count>[0]][] = [
        ["one: code' OR '1'='1", { mode: "one", code: `${first}' OR '1'='1` }],
        ["one: code'; DELETE", { mode: "one", code: `${first}'; DELETE FROM ORD_HEAD; --` }],
        ["year: fromCode 0' OR '1'='1", { mode: "year", year, fromCode: `0000-000000' OR '1'='1` }],
      ];
      for (const [name, params] of injected) {
        tally.tried++;
        const n = await source.count(params);
        if (n !== 0) failures.push(`source ${name}: selected ${n} planillas (the injection ran)`);
      }
      expect(await source.count({ mode: "all" })).toBe(all);
    } finally {
      await source.close();
    }
    expect(failures.splice(0)).toEqual([]);
  });

  test("nothing was written by any refused input", () => {
    expect(tally.written).toBe(0);
    expect(tally.tried).toBeGreaterThan(1000);
  });
});

/** `mib` MiB of zeros, gzipped as a stream (never held inflated in memory). */
async function gzipBomb(mib: number): Promise<Uint8Array<ArrayBuffer>> {
  const gzip = createGzip({ level: 6 });
  const chunks: Buffer[] = [];
  gzip.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => gzip.on("end", resolve));
  const zeros = Buffer.alloc(1 << 20);
  for (let i = 0; i < mib; i++) {
    if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once("drain", resolve));
  }
  gzip.end();
  await ended;
  return new Uint8Array(Buffer.concat(chunks));
}
