import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { AGENT, agentHeaders, createTestApp, runSummary, ScriptedRpcError } from "../../testing.ts";

const RUN_ID = runSummary().id;
const elemento = (i: number) => ({
  ferrawin_id: `${i}-1`,
  fila: i,
  marca: "M1",
  descripcion_fila: null,
  diametro_mm: 12,
  figura: null,
  longitud_mm: 1500,
  dobleces: 2,
  barras: 4,
  peso_kg: 5.3,
  dimensiones: null,
  etiqueta: null,
});
const planilla = (n: number) => ({
  codigo: `2025-${String(n).padStart(6, "0")}`,
  zconta: 2025,
  descripcion: "Losa",
  seccion: null,
  ensamblado: null,
  obra: { codigo: "12", nombre: "Torre", cliente: { codigo: "7", nombre: "ACME" } },
  fecha_creacion: null,
  fecha_calculo: null,
  peso_total_kg: 100,
  fingerprint: "3|abc|2025-01-01",
  elementos: Array.from({ length: 10_000 }, (_, i) => elemento(i)),
  entidades: [],
});
const batchResult = (args: Record<string, unknown>) => ({
  seq: args.p_seq,
  replayed: false,
  counts: { planillas: { created: 1 }, elementos: { created: 10_000 } },
  rejects: [],
});

async function gzipJson(value: unknown): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([JSON.stringify(value)]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("a gzipped planilla batch of 10,000 elementos goes to ingest_planillas", async () => {
  const { request, calls } = createTestApp({ ingest_planillas: batchResult }, {
    maxBodyBytes: 16 * 1024 * 1024,
  });
  const body = await gzipJson({ kind: "planillas", seq: 5, planillas: [planilla(1)] });
  const response = await request(`/agent/runs/${RUN_ID}/batches`, {
    method: "POST",
    body,
    headers: { ...agentHeaders, "content-type": "application/json", "content-encoding": "gzip" },
  });
  assertEquals(response.status, 200);
  assertEquals((await response.json()).seq, 5);
  const call = calls.at(-1)!;
  assertEquals([call.fn, call.args.p_agent_key, call.args.p_run_id, call.args.p_seq], [
    "ingest_planillas",
    AGENT.key,
    RUN_ID,
    5,
  ]);
  const batch = call.args.p_batch as { planillas: { elementos: unknown[] }[]; rejects: unknown[] };
  assertEquals([batch.planillas[0]!.elementos.length, batch.rejects], [10_000, []]);
});

Deno.test("a customer page goes to ingest_customers", async () => {
  const { request, calls } = createTestApp({ ingest_customers: batchResult });
  const customer = {
    wispro_id: crypto.randomUUID(),
    name: "Ana",
    id_number: "V-12345678",
  };
  const response = await request(`/agent/runs/${RUN_ID}/batches`, {
    json: { kind: "customers", seq: 0, page: 1, customers: [customer] },
    headers: agentHeaders,
  });
  assertEquals(response.status, 200);
  assertEquals(calls.at(-1)?.fn, "ingest_customers");
});

Deno.test("an invalid batch is 422 and reaches no RPC; a body over the limit is 413", async () => {
  const { request, calls } = createTestApp({ ingest_planillas: batchResult }, {
    maxBodyBytes: 64 * 1024,
  });
  const bad = planilla(2);
  bad.elementos = [{ ...elemento(1), diametro_mm: -6 }];
  const invalid = await request(`/agent/runs/${RUN_ID}/batches`, {
    json: { kind: "planillas", seq: 1, planillas: [bad] },
    headers: agentHeaders,
  });
  assertEquals(invalid.status, 422);
  const issue = (await invalid.json()).error.issues[0];
  assertEquals(issue.path.startsWith("planillas.0.elementos.0.diametro_mm"), true);
  const tooBig = await request(`/agent/runs/${RUN_ID}/batches`, {
    method: "POST",
    body: await gzipJson({ kind: "planillas", seq: 1, planillas: [planilla(3)] }),
    headers: { ...agentHeaders, "content-type": "application/json", "content-encoding": "gzip" },
  });
  assertEquals(tooBig.status, 413);
  assertEquals(calls.some((c) => c.fn === "ingest_planillas"), false);
});

Deno.test("the database refusing a batch keeps its status", async () => {
  const { request } = createTestApp({
    ingest_customers: () => {
      throw new ScriptedRpcError({ code: "PT409", message: "run is not running" }, 409);
    },
  });
  const response = await request(`/agent/runs/${RUN_ID}/batches`, {
    json: { kind: "customers", seq: 0, customers: [] },
    headers: agentHeaders,
  });
  assertEquals(response.status, 409);
  assertEquals((await response.json()).error.message, "run is not running");
});

Deno.test("with portal accounts on, a customers batch opens them after it lands; planillas never", async () => {
  const created: string[] = [];
  const { request, calls } = createTestApp({
    ingest_customers: batchResult,
    ingest_planillas: batchResult,
    claim_portal_accounts: () => [
      { customerId: "c1", email: "ana@example.com", authUserId: null },
    ],
    settle_portal_accounts: () => ({
      invited: 1,
      emailTaken: 0,
      sharedEmail: 0,
      refused: 0,
      pending: 0,
    }),
  }, {
    portalAccounts: {
      createUser: (user) => {
        created.push(user.email);
        return Promise.resolve({ kind: "done", userId: "u1" });
      },
      invite: () => Promise.resolve({ kind: "done", userId: "u1" }),
    },
  });
  const customer = { wispro_id: crypto.randomUUID(), name: "Ana", id_number: "V-12345678" };
  const response = await request(`/agent/runs/${RUN_ID}/batches`, {
    json: { kind: "customers", seq: 0, page: 1, customers: [customer] },
    headers: agentHeaders,
  });
  assertEquals(response.status, 200);
  assertEquals(calls.map((c) => c.fn).slice(-3), [
    "ingest_customers",
    "claim_portal_accounts",
    "settle_portal_accounts",
  ]);
  assertEquals(calls.at(-2)?.args.p_wispro_ids, [customer.wispro_id]);
  assertEquals(created, ["ana@example.com"]);
  // The id number is neither in the response nor in what the database is told.
  const told = JSON.stringify(await response.json()) + JSON.stringify(calls.slice(-2));
  assertEquals(told.includes(`"12345678"`), false);

  const before = calls.length;
  await request(`/agent/runs/${RUN_ID}/batches`, {
    json: { kind: "planillas", seq: 1, planillas: [] },
    headers: agentHeaders,
  });
  assertEquals(calls.slice(before).map((c) => c.fn).includes("claim_portal_accounts"), false);
});

Deno.test("with portal accounts off (the default), no account RPC is called", async () => {
  const { request, calls } = createTestApp({ ingest_customers: batchResult });
  const customer = { wispro_id: crypto.randomUUID(), name: "Ana", id_number: "V-12345678" };
  await request(`/agent/runs/${RUN_ID}/batches`, {
    json: { kind: "customers", seq: 0, customers: [customer] },
    headers: agentHeaders,
  });
  assertEquals(calls.some((c) => c.fn.includes("portal")), false);
});
