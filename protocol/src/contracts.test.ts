// Every wire schema accepts its documented shape and refuses malformed variants with a readable message.
import { describe, expect, test } from "bun:test";
import type { z } from "zod";
import * as p from "./index.ts";

const uuid = () => crypto.randomUUID();
const iso = "2026-11-23T10:00:00.000Z";
const long = "x".repeat(5000);

const elemento = {
  ferrawin_id: "1-2",
  fila: 1,
  marca: "M1",
  descripcion_fila: "Viga",
  diametro_mm: 12,
  figura: "345\t90d\t200",
  longitud_mm: 545,
  dobleces: 1,
  barras: 4,
  peso_kg: 1.935,
  dimensiones: null,
  etiqueta: "E-1",
};
const planilla = {
  codigo: "2026-000886",
  zconta: 2026,
  descripcion: "Losa",
  seccion: null,
  ensamblado: null,
  obra: { codigo: "12", nombre: "Torre", cliente: { codigo: "7", nombre: "Acme" } },
  fecha_creacion: iso,
  fecha_calculo: iso,
  peso_total_kg: 1.935,
  fingerprint: "56:123456:2026-11-23T10:00:00",
  elementos: [elemento],
  entidades: [{
    linea: "1",
    marca: "M1",
    situacion: null,
    cantidad: 2,
    miembros: 1,
    modelo: null,
    cotas: null,
    composicion: { estribos: 0 },
    distribucion: { superior: [] },
  }],
};
const customer = {
  wispro_id: uuid(),
  public_id: 12,
  custom_id: null,
  name: "Ana Pérez",
  email: "ana@example.com",
  phone: null,
  phone_mobile: "+58 412 0000000",
  national_id_raw: "12.345.678",
  id_number: "V-12345678",
  zone: "Centro",
  address: null,
  city: "Caracas",
  details: "V",
  wispro_created_at: iso,
  wispro_updated_at: iso,
};
const counts = { planillas: { created: 1 }, elementos: { created: 1, deleted: 0 } };

interface Case {
  schema: z.ZodType;
  valid: unknown;
  invalid: Record<string, unknown>;
}

const without = (o: Record<string, unknown>, key: string) => {
  const { [key]: _, ...rest } = o;
  return rest;
};

const command = {
  requestId: uuid(),
  agentId: uuid(),
  source: "ferrawin",
  action: "start",
  params: { mode: "incremental" },
};
const runOpen = { commandId: uuid(), source: "ferrawin", params: { mode: "year", year: 2025 } };
const progress = {
  done: 10,
  total: 100,
  counts,
  cursor: { source: "ferrawin", lastCode: "2025-000010" },
};
const finish = { status: "completed", done: 100, total: 100, counts };
const claimed = {
  id: uuid(),
  requestId: uuid(),
  agentId: uuid(),
  source: "ferrawin",
  action: "start",
  params: { mode: "incremental" },
  scheduled: false,
  createdAt: iso,
  expiresAt: iso,
};
const summary = {
  id: uuid(),
  agentId: uuid(),
  commandId: null,
  source: "ferrawin",
  mode: "year",
  params: { mode: "year", year: 2025 },
  status: "running",
  scheduled: false,
  total: 10,
  done: 3,
  counts,
  cursor: { source: "ferrawin", lastCode: "2025-000010" },
  ratePerS: 2.5,
  lastItem: null,
  error: null,
  createdAt: iso,
  startedAt: iso,
  updatedAt: iso,
  finishedAt: null,
};
const finishedEvent = {
  runId: uuid(),
  agentId: uuid(),
  source: "ferrawin",
  status: "completed",
  done: 1,
  total: 1,
  counts,
  error: null,
  finishedAt: iso,
};
const heartbeatEvent = {
  agentId: uuid(),
  version: "0.1.0",
  hostname: "PC",
  activeRunId: null,
  at: iso,
};
const planillaBatch = { kind: "planillas", seq: 0, planillas: [planilla] };
const customerBatch = { kind: "customers", seq: 3, page: 4, customers: [customer] };

const cases: Record<string, Case> = {
  CommandRequest: {
    schema: p.CommandRequest,
    valid: command,
    invalid: {
      "missing requestId": without(command, "requestId"),
      "wrong type": { ...command, agentId: 42 },
      "unknown action": { ...command, action: "explode" },
      "oversize string": { ...command, params: { mode: "one", code: long } },
      "bad code": { ...command, params: { mode: "one", code: "2026/886" } },
      "unknown field": { ...command, sql: "drop table" },
      "out-of-range year": { ...command, params: { mode: "year", year: 1899 } },
      "future year": { ...command, params: { mode: "year", year: 3000 } },
      "wrong version": { ...command, v: 2 },
    },
  },
  ClaimRequest: {
    schema: p.ClaimRequest,
    valid: { limit: 5 },
    invalid: {
      "wrong type": { limit: "5" },
      "zero": { limit: 0 },
      "too many": { limit: 1000 },
      "unknown field": { limit: 5, agentId: uuid() },
      "fraction": { limit: 1.5 },
    },
  },
  RunOpenRequest: {
    schema: p.RunOpenRequest,
    valid: runOpen,
    invalid: {
      "missing source": without(runOpen, "source"),
      "wrong type": { ...runOpen, scheduled: "yes" },
      "unknown mode": { ...runOpen, params: { mode: "everything" } },
      "oversize string": { ...runOpen, params: { mode: "one", code: long } },
      "bad code": { ...runOpen, params: { mode: "year", year: 2025, fromCode: "25-1" } },
      "bad command id": { ...runOpen, commandId: "123" },
      "new run without params": without(runOpen, "params"),
    },
  },
  RunProgress: {
    schema: p.RunProgress,
    valid: progress,
    invalid: {
      "missing done": without(progress, "done"),
      "wrong type": { ...progress, done: "10" },
      "negative": { ...progress, done: -1 },
      "unknown status": { ...progress, status: "exploding" },
      "oversize event": { ...progress, events: [{ level: "info", message: long, at: iso }] },
      "bad cursor code": { ...progress, cursor: { source: "ferrawin", lastCode: "nope" } },
    },
  },
  RunFinish: {
    schema: p.RunFinish,
    valid: finish,
    invalid: {
      "missing status": without(finish, "status"),
      "wrong type": { ...finish, done: [] },
      "unknown status": { ...finish, status: "running" },
      "failed without error": { ...finish, status: "failed" },
      "oversize error": { ...finish, status: "failed", error: { code: "x", message: long } },
      "unknown count kind": { ...finish, counts: { widgets: { created: 1 } } },
    },
  },
  PlanillaBatch: {
    schema: p.PlanillaBatch,
    valid: planillaBatch,
    invalid: {
      "missing seq": without(planillaBatch, "seq"),
      "wrong type": { ...planillaBatch, seq: "0" },
      "unknown kind": { ...planillaBatch, kind: "widgets" },
      "oversize string": { ...planillaBatch, planillas: [{ ...planilla, descripcion: long }] },
      "bad code": { ...planillaBatch, planillas: [{ ...planilla, codigo: "2026-886" }] },
      "negative diameter": {
        ...planillaBatch,
        planillas: [{ ...planilla, elementos: [{ ...elemento, diametro_mm: -6 }] }],
      },
      "duplicate planilla": { ...planillaBatch, planillas: [planilla, planilla] },
      "code not of its year": { ...planillaBatch, planillas: [{ ...planilla, zconta: 2025 }] },
      "bad ferrawin id": {
        ...planillaBatch,
        planillas: [{ ...planilla, elementos: [{ ...elemento, ferrawin_id: "12" }] }],
      },
    },
  },
  CustomerBatch: {
    schema: p.CustomerBatch,
    valid: customerBatch,
    invalid: {
      "missing customers": without(customerBatch, "customers"),
      "wrong type": { ...customerBatch, page: "4" },
      "unknown kind": { ...customerBatch, kind: "clients" },
      "oversize string": { ...customerBatch, customers: [{ ...customer, name: long }] },
      "bad id number": { ...customerBatch, customers: [{ ...customer, id_number: "12.345.678" }] },
      "double prefix": { ...customerBatch, customers: [{ ...customer, id_number: "V-V-123" }] },
      "bad uuid": { ...customerBatch, customers: [{ ...customer, wispro_id: "42" }] },
    },
  },
  Heartbeat: {
    schema: p.Heartbeat,
    valid: { version: "0.1.0", hostname: "OFICINA-PC" },
    invalid: {
      "missing version": { hostname: "x" },
      "wrong type": { version: 1, hostname: "x" },
      "oversize string": { version: "1", hostname: long },
      "bad run id": { version: "1", hostname: "x", activeRunId: "run-1" },
      "unknown field": { version: "1", hostname: "x", admin: true },
    },
  },
  RunProgressEvent: {
    schema: p.RunProgressEvent,
    valid: {
      runId: uuid(),
      agentId: uuid(),
      source: "ferrawin",
      mode: "year",
      status: "running",
      total: 10,
      done: 2,
      counts,
      ratePerS: 12.5,
      lastItem: { code: "2025-000010", cliente: "Acme", obra: "Torre" },
      updatedAt: iso,
    },
    invalid: {
      "missing runId": { agentId: uuid() },
      "wrong type": { runId: uuid(), agentId: uuid(), source: "ferrawin", mode: "year", status: 1 },
      "unknown status": {
        runId: uuid(),
        agentId: uuid(),
        source: "ferrawin",
        mode: "x",
        status: "boom",
      },
      "unknown source": {
        runId: uuid(),
        agentId: uuid(),
        source: "sap",
        mode: "x",
        status: "running",
      },
      "bad date": {
        runId: uuid(),
        agentId: uuid(),
        source: "ferrawin",
        mode: "x",
        status: "running",
        total: null,
        done: 0,
        counts: {},
        ratePerS: null,
        lastItem: null,
        updatedAt: "yesterday",
      },
    },
  },
  CommandAccepted: {
    schema: p.CommandAccepted,
    valid: { commandId: uuid(), status: "pending", duplicate: false, expiresAt: iso },
    invalid: {
      "missing commandId": { status: "pending", duplicate: false, expiresAt: iso },
      "wrong type": { commandId: uuid(), status: "pending", duplicate: "no", expiresAt: iso },
      "unknown status": { commandId: uuid(), status: "exploded", duplicate: false, expiresAt: iso },
      "bad date": { commandId: uuid(), status: "pending", duplicate: false, expiresAt: "soon" },
      "bad id": { commandId: "1", status: "pending", duplicate: false, expiresAt: iso },
    },
  },
  ClaimResponse: {
    schema: p.ClaimResponse,
    valid: { commands: [claimed] },
    invalid: {
      "missing commands": {},
      "wrong type": { commands: "none" },
      "unknown action": { commands: [{ ...claimed, action: "explode" }] },
      "unknown source": { commands: [{ ...claimed, source: "sap" }] },
      "bad expiry": { commands: [{ ...claimed, expiresAt: "later" }] },
    },
  },
  RunSummary: {
    schema: p.RunSummary,
    valid: summary,
    invalid: {
      "missing id": without(summary, "id"),
      "wrong type": { ...summary, done: "3" },
      "unknown status": { ...summary, status: "exploded" },
      "oversize mode": { ...summary, mode: long },
      "bad cursor code": { ...summary, cursor: { source: "ferrawin", lastCode: "x" } },
      "negative lastSeq": { ...summary, lastSeq: -1 },
    },
  },
  BatchResult: {
    schema: p.BatchResult,
    valid: {
      seq: 3,
      replayed: false,
      counts,
      rejects: [{ record_key: "2025-000001", reason: "missing_obra" }],
    },
    invalid: {
      "missing seq": { replayed: false, counts },
      "wrong type": { seq: 3, replayed: "no", counts },
      "negative seq": { seq: -1, replayed: false, counts },
      "unknown count kind": { seq: 3, replayed: false, counts: { widgets: {} } },
      "bad rejects": { seq: 3, replayed: false, counts, rejects: [{ reason: 1 }] },
    },
  },
  RunFinishedEvent: {
    schema: p.RunFinishedEvent,
    valid: finishedEvent,
    invalid: {
      "missing runId": without(finishedEvent, "runId"),
      "wrong type": { ...finishedEvent, done: "1" },
      "unknown status": { ...finishedEvent, status: "exploded" },
      "unknown source": { ...finishedEvent, source: "sap" },
      "bad date": { ...finishedEvent, finishedAt: "now" },
    },
  },
  AgentHeartbeatEvent: {
    schema: p.AgentHeartbeatEvent,
    valid: heartbeatEvent,
    invalid: {
      "missing agentId": without(heartbeatEvent, "agentId"),
      "wrong type": { ...heartbeatEvent, version: 1 },
      "oversize hostname": { ...heartbeatEvent, hostname: long },
      "bad run id": { ...heartbeatEvent, activeRunId: "run-1" },
      "bad date": { ...heartbeatEvent, at: "now" },
    },
  },
  CommandAvailableEvent: {
    schema: p.CommandAvailableEvent,
    valid: { commandId: uuid() },
    invalid: {
      "missing commandId": {},
      "wrong type": { commandId: 5 },
      "not a uuid": { commandId: "abc" },
      "null": { commandId: null },
      "sql in id": { commandId: "1; drop table commands" },
    },
  },
  FingerprintsRequest: {
    schema: p.FingerprintsRequest,
    valid: { year: 2025 },
    invalid: {
      "wrong type": { year: "2025" },
      "fraction": { year: 2025.5 },
      "too old": { year: 1000 },
      "unknown field": { year: 2025, codes: [] },
      "wrong version": { v: 9 },
    },
  },
  FingerprintsResponse: {
    schema: p.FingerprintsResponse,
    valid: { fingerprints: { "2025-000001": "v1:1:2:3" } },
    invalid: {
      "missing fingerprints": {},
      "wrong type": { fingerprints: [] },
      "non-string value": { fingerprints: { "2025-000001": 5 } },
      "null": { fingerprints: null },
      "wrong version": { v: 2, fingerprints: {} },
    },
  },
  ErrorEnvelope: {
    schema: p.ErrorEnvelope,
    valid: {
      error: { code: "validation_failed", message: "bad", issues: [{ path: "seq", message: "x" }] },
    },
    invalid: {
      "missing error": {},
      "wrong type": { error: "bad" },
      "missing message": { error: { code: "x" } },
      "bad issues": { error: { code: "x", message: "y", issues: "none" } },
      "numeric code": { error: { code: 400, message: "y" } },
    },
  },
};

describe("protocol schemas", () => {
  for (const [name, { schema, valid, invalid }] of Object.entries(cases)) {
    describe(name, () => {
      test("accepts the documented shape and stamps the protocol version where it carries one", () => {
        const result = schema.safeParse(valid);
        if (!result.success) throw new Error(p.formatIssues(result.error));
        const data = result.data as Record<string, unknown>;
        if ("v" in data) expect(data.v).toBe(p.PROTOCOL_VERSION);
      });
      test("has at least five malformed variants", () => {
        expect(Object.keys(invalid).length).toBeGreaterThanOrEqual(5);
      });
      for (const [variant, body] of Object.entries(invalid)) {
        test(`refuses ${variant} with a readable message`, () => {
          const result = schema.safeParse(body);
          expect(result.success).toBe(false);
          if (result.success) return;
          const message = p.formatIssues(result.error);
          expect(message).toMatch(/^[\w.()-]+: .{3,}/);
          expect(message.length).toBeLessThan(2000);
        });
      }
    });
  }
});

describe("claimed command params", () => {
  test("are parsed for their source and action", () => {
    const base = {
      id: uuid(),
      requestId: uuid(),
      agentId: uuid(),
      createdAt: iso,
      expiresAt: iso,
      scheduled: false,
    };
    const start = p.ClaimedCommand.parse({
      ...base,
      source: "ferrawin",
      action: "start",
      params: { mode: "one", code: "2026-886" },
    });
    expect(p.parseClaimedParams(start)).toEqual({
      kind: "ferrawin",
      params: { mode: "one", code: "2026-000886" },
    });
    const pause = p.ClaimedCommand.parse({
      ...base,
      source: "wispro",
      action: "pause",
      params: {},
    });
    expect(p.parseClaimedParams(pause).kind).toBe("control");
    const bad = p.ClaimedCommand.parse({
      ...base,
      source: "ferrawin",
      action: "start",
      params: { mode: "one" },
    });
    expect(() => p.parseClaimedParams(bad)).toThrow();
  });

  test("schedule intervals are the ones the source system offered", () => {
    expect(p.ScheduleInterval.safeParse(15).success).toBe(true);
    expect(p.ScheduleInterval.safeParse(10).success).toBe(false);
  });
});

describe("event channels", () => {
  test("name the agent's private channel", () => {
    expect(p.Channels.agent("abc")).toBe("private-agent-abc");
    expect(p.Channels.syncStatus).toBe("private-sync-status");
  });
});

describe("reopening a run", () => {
  test("needs no params (the run keeps its own), and answers the server's highest seq", () => {
    const reopen = p.RunOpenRequest.parse({ v: 1, source: "ferrawin", resumeRunId: uuid() });
    expect(reopen.params).toBeUndefined();
    expect(p.RunSummary.parse({ ...summary, lastSeq: 41 }).lastSeq).toBe(41);
    expect(p.RunSummary.parse({ ...summary, lastSeq: null }).lastSeq).toBeNull();
  });
});
