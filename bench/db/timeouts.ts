// `bun bench/db/timeouts.ts`: every user and agent RPC against hosted Supabase's statement timeouts, on
// the e2e dataset (37,000 planillas, 2,072,000 elementos, a run history and 5,000 customers). Each call
// runs as PostgREST runs it: one transaction, SET LOCAL ROLE to the caller's role, and that role's
// statement_timeout as the database carries it (service_role takes the authenticator's, as a request
// does). A call over its timeout is cancelled by Postgres (57014) and fails the benchmark, so a
// finished run proves that each RPC fits. The figure is the slowest call as a share of its timeout.
// PUENTE_BENCH_PLANILLAS=N loads a smaller dataset. Then the Planillas screen's lookups (issue #24):
// each read RPC called LOOKUP_SAMPLES times over varied codes as an admin, its p95 written to
// bench/results/lookup.json.
import type postgres from "postgres";
import type { Planilla } from "@puente/protocol";
import { round, writeResult } from "../results.ts";
import { readStat } from "../e2e/cpu.ts";
import { makeBatches, makePlanillas, PER_PLANILLA, PLANILLAS_PER_BATCH } from "./dataset.ts";
import { startIngestDatabase } from "./database.ts";

const PLANILLAS = Number(process.env.PUENTE_BENCH_PLANILLAS ?? 37_000);
const HISTORY_RUNS = 300;
const CUSTOMERS = 5_000;
/** The largest batch the agent sends (PUENTE_BATCH_PLANILLAS 500, PUENTE_BATCH_ELEMENTOS 20,000). */
const LARGE_BATCH = { planillas: 500, elementosEach: 40 };
const REPEATS = 3;
/** Incremental runs of the history that edit the first batch's planillas, so they have a journal. */
const EDITING_RUNS = 25;
const LOOKUP_SAMPLES = 60;

type Role = "anon" | "authenticated" | "service_role";
const ADMIN_CLAIMS = { role: "authenticated", app_metadata: { role: "admin" } };

const db = await startIngestDatabase("timeouts");
try {
  const { sql, agentKey } = db;
  const asService = async <T>(run: (tx: postgres.TransactionSql) => Promise<T>) =>
    await sql.begin(async (tx) => {
      await tx`set local role service_role`;
      return await run(tx);
    });
  const rpc = async <T>(tx: postgres.TransactionSql, text: string, params: unknown[] = []) => {
    const [row] = await tx.unsafe<{ r: T }[]>(text, params as postgres.ParameterOrJSON<never>[]);
    return row!.r;
  };

  // The e2e dataset: one full FerraWin run, then a history of short runs with log lines.
  const started = performance.now();
  const fullRun = await db.openFullRun();
  const batches = makeBatches(makePlanillas(PLANILLAS * PER_PLANILLA));
  for (const [seq, batch] of batches.entries()) {
    await asService((tx) =>
      rpc(tx, "select public.ingest_planillas($1, $2, $3, ($4::text)::jsonb) as r", [
        agentKey,
        fullRun,
        seq,
        batch,
      ])
    );
  }
  const finish = (run: string, done: number) =>
    asService((tx) =>
      rpc(tx, "select public.finish_run($1, $2, ($3::text)::jsonb) as r", [
        agentKey,
        run,
        JSON.stringify({
          status: "completed",
          done,
          events: [{ level: "info", message: "fin", at: new Date().toISOString() }],
        }),
      ])
    );
  await finish(fullRun, PLANILLAS);
  const openRun = (source: "ferrawin" | "wispro", params: object) =>
    asService((tx) =>
      rpc<{ id: string }>(tx, "select public.open_run($1, ($2::text)::jsonb) as r", [
        agentKey,
        JSON.stringify({ source, params }),
      ])
    );
  // The first batch's planillas are edited by the first runs of the history (a bar's quantity, a
  // label, one bar gone), so their journals have an entry per run, more than one page.
  const firstBatch = JSON.parse(batches[0]!) as { planillas: Planilla[] };
  for (let i = 0; i < HISTORY_RUNS; i++) {
    const run = await openRun("ferrawin", { mode: "incremental" });
    if (i < EDITING_RUNS) {
      const planillas = firstBatch.planillas.map((p) => ({
        ...p,
        fingerprint: `${p.fingerprint}:${i}`,
        elementos: p.elementos.slice(0, i % 2 ? -1 : undefined).map((e, n) =>
          n === 0 ? { ...e, barras: (e.barras ?? 0) + i + 1, etiqueta: `E-${i}` } : e
        ),
      }));
      await asService((tx) =>
        rpc(tx, "select public.ingest_planillas($1, $2, 0, ($3::text)::jsonb) as r", [
          agentKey,
          run.id,
          JSON.stringify({ v: 1, kind: "planillas", seq: 0, rejects: [], planillas }),
        ])
      );
    }
    await finish(run.id, i < EDITING_RUNS ? firstBatch.planillas.length : 0);
  }
  const customerRun = await openRun("wispro", { mode: "all" });
  const customers = Array.from({ length: CUSTOMERS }, (_, i) => ({
    wispro_id: `c0000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    public_id: i,
    custom_id: null,
    name: `Cliente ${i}`,
    email: `cliente${i}@example.com`,
    phone: null,
    phone_mobile: null,
    national_id_raw: `${10_000_000 + i}`,
    id_number: `V-${10_000_000 + i}`,
    zone: "Centro",
    address: null,
    city: null,
    details: null,
    wispro_created_at: null,
    wispro_updated_at: null,
  }));
  const customerBatch = (seq: number, from: number) =>
    JSON.stringify({
      v: 1,
      kind: "customers",
      seq,
      rejects: [],
      customers: customers.slice(from, from + 1000),
    });
  for (let seq = 0; seq < CUSTOMERS / 1000 - 1; seq++) {
    await asService((tx) =>
      rpc(tx, "select public.ingest_customers($1, $2, $3, ($4::text)::jsonb) as r", [
        agentKey,
        customerRun.id,
        seq,
        customerBatch(seq, seq * 1000),
      ])
    );
  }
  await sql`vacuum analyze`;
  const loadSeconds = (performance.now() - started) / 1000;
  console.log(
    `timeouts bench: ${PLANILLAS} planillas, ${
      PLANILLAS * PER_PLANILLA
    } elementos, ${HISTORY_RUNS} runs, ${CUSTOMERS} customers loaded in ${round(loadSeconds)} s`,
  );

  // Each role's statement_timeout as the database carries it; service_role has none of its own.
  const timeoutMs = new Map<Role, number>();
  for (
    const [role, from] of [["anon", "anon"], ["authenticated", "authenticated"], [
      "service_role",
      "authenticator",
    ]] as const
  ) {
    const [row] = await sql<{ setting: string | null }[]>`
      select (select substr(s, length('statement_timeout=') + 1) from unnest(rolconfig) s
        where s like 'statement_timeout=%') as setting
      from pg_roles where rolname = ${from}`;
    const match = /^(\d+)(ms|s|min)?$/.exec(row?.setting ?? "");
    if (!match) throw new Error(`${from} carries no statement_timeout (${row?.setting})`);
    const unit = match[2] === "min" ? 60_000 : match[2] === "ms" ? 1 : 1000;
    timeoutMs.set(role, Number(match[1]) * unit);
  }

  // The server process's CPU time is recorded beside the wall clock: on a machine shared with other
  // work the wall clock stretches, CPU time far less (Linux counts it in 10 ms ticks).
  const [backend] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
  const cpuMs = () => (readStat(backend!.pid)?.cpuS ?? NaN) * 1000;

  /**
   * Runs `text` as PostgREST would for `role`, under that role's timeout; returns wall and backend
   * CPU milliseconds.
   */
  const timed = (role: Role, text: string, params: unknown[] = []) =>
    sql.begin(async (tx) => {
      await tx.unsafe(`set local role ${role}`);
      await tx.unsafe(`set local statement_timeout = ${timeoutMs.get(role)}`);
      if (role === "authenticated") {
        await tx`select set_config('request.jwt.claims', ${JSON.stringify(ADMIN_CLAIMS)}, true)`;
      }
      const cpu = cpuMs();
      const t = performance.now();
      await tx.unsafe(text, params as postgres.ParameterOrJSON<never>[]);
      return { ms: performance.now() - t, cpuMs: cpuMs() - cpu };
    });

  const bigRun = fullRun;
  const editedCode = firstBatch.planillas[0]!.codigo;
  // The measured batches go to a run of their own, opened after open_run + finish_run is measured
  // (one active run per agent and source).
  let ingestRunId: string | null = null;
  const ingestRun = async () => ingestRunId ??= (await openRun("ferrawin", { mode: "all" })).id;
  let seq = 1_000_000;
  let nextPlanilla = PLANILLAS + 1;
  const calls: { name: string; role: Role; call: () => Promise<{ ms: number; cpuMs: number }> }[] =
    [
      { name: "health", role: "anon", call: () => timed("anon", "select public.health()") },
      {
        name: "sync_overview",
        role: "authenticated",
        call: () => timed("authenticated", "select public.sync_overview()"),
      },
      {
        name: "list_runs",
        role: "authenticated",
        call: () => timed("authenticated", "select public.list_runs()"),
      },
      {
        name: "run_detail (the 740-batch run)",
        role: "authenticated",
        call: () => timed("authenticated", "select public.run_detail($1)", [bigRun]),
      },
      {
        name: "year_status",
        role: "authenticated",
        call: () => timed("authenticated", "select public.year_status(2025)"),
      },
      {
        name: "create_agent + enqueue_command + set_schedule + revoke_agent",
        role: "authenticated",
        call: () =>
          timed(
            "authenticated",
            `with a as (select (public.create_agent('bench') ->> 'agentId')::uuid as id)
           select public.enqueue_command(gen_random_uuid(), a.id, 'ferrawin', 'start',
               '{"mode":"incremental"}'),
             public.set_schedule(a.id, 'ferrawin', 5), public.revoke_agent(a.id) from a`,
          ),
      },
      {
        name: "mark_stalled_runs",
        role: "authenticated",
        call: () => timed("authenticated", "select public.mark_stalled_runs()"),
      },
      {
        name: "open_run + finish_run",
        role: "service_role",
        call: () =>
          timed(
            "service_role",
            `select public.finish_run($1, (public.open_run($1,
             '{"source":"ferrawin","params":{"mode":"one"}}') ->> 'id')::uuid,
             '{"status":"completed","done":1}')`,
            [agentKey],
          ),
      },
      {
        name: "authenticate_agent + agent_heartbeat + claim_commands",
        role: "service_role",
        call: () =>
          timed(
            "service_role",
            `select public.authenticate_agent($1), public.agent_heartbeat($1, '{"version":"1.0.0"}'),
             public.claim_commands($1, 10)`,
            [agentKey],
          ),
      },
      {
        name: "planilla_fingerprints (all years)",
        role: "service_role",
        call: () =>
          timed("service_role", "select public.planilla_fingerprints($1, null)", [agentKey]),
      },
      {
        name: "planilla_fingerprints (one year)",
        role: "service_role",
        call: () =>
          timed("service_role", "select public.planilla_fingerprints($1, 2025)", [agentKey]),
      },
      {
        name: "ingest_planillas (500 new planillas, 20,000 elementos: the largest batch)",
        role: "service_role",
        call: async () => {
          const planillas = makePlanillas(LARGE_BATCH.planillas * LARGE_BATCH.elementosEach, {
            perPlanilla: LARGE_BATCH.elementosEach,
            firstNumber: nextPlanilla,
          });
          nextPlanilla += planillas.length;
          const batch = JSON.stringify({ v: 1, kind: "planillas", seq, rejects: [], planillas });
          return timed(
            "service_role",
            "select public.ingest_planillas($1, $2, $3, ($4::text)::jsonb)",
            [agentKey, await ingestRun(), seq++, batch],
          );
        },
      },
      {
        name: "ingest_planillas (50 new planillas, the agent's default batch)",
        role: "service_role",
        call: async () => {
          const planillas = makePlanillas(PLANILLAS_PER_BATCH * PER_PLANILLA, {
            firstNumber: nextPlanilla,
          });
          nextPlanilla += planillas.length;
          const batch = JSON.stringify({ v: 1, kind: "planillas", seq, rejects: [], planillas });
          return timed(
            "service_role",
            "select public.ingest_planillas($1, $2, $3, ($4::text)::jsonb)",
            [agentKey, await ingestRun(), seq++, batch],
          );
        },
      },
      {
        name: "ingest_planillas (50 stored planillas re-sent unchanged)",
        role: "service_role",
        call: async () =>
          timed("service_role", "select public.ingest_planillas($1, $2, $3, ($4::text)::jsonb)", [
            agentKey,
            await ingestRun(),
            seq++,
            batches[batches.length - 1]!,
          ]),
      },
      {
        name: "find_planillas (a code not stored: suggestions)",
        role: "authenticated",
        call: () => timed("authenticated", "select public.find_planillas('2003-999999')"),
      },
      {
        name: "find_planillas (no code form: digits anywhere)",
        role: "authenticated",
        call: () => timed("authenticated", "select public.find_planillas('planilla 77')"),
      },
      {
        name: "planilla_status",
        role: "authenticated",
        call: () => timed("authenticated", "select public.planilla_status($1)", [editedCode]),
      },
      {
        name: "planilla_elementos (first page)",
        role: "authenticated",
        call: () => timed("authenticated", "select public.planilla_elementos($1)", [editedCode]),
      },
      {
        name: "planilla_journal (first page)",
        role: "authenticated",
        call: () => timed("authenticated", "select public.planilla_journal($1)", [editedCode]),
      },
      {
        name: "report_progress",
        role: "service_role",
        call: async () =>
          timed("service_role", "select public.report_progress($1, $2, ($3::text)::jsonb)", [
            agentKey,
            await ingestRun(),
            JSON.stringify({
              status: "running",
              done: 10,
              events: [{ level: "info", message: "x", at: new Date().toISOString() }],
            }),
          ]),
      },
      {
        name: "ingest_customers (1,000) + claim_portal_accounts + settle_portal_accounts",
        role: "service_role",
        call: () =>
          timed(
            "service_role",
            `with landed as (select public.ingest_customers($1, $2, $3, ($4::text)::jsonb) as r),
           claimed as (select public.claim_portal_accounts($1, $2, ($5::text)::jsonb) as c from landed)
           select public.settle_portal_accounts($1, $2, (
             select coalesce(jsonb_agg(jsonb_build_object('customer_id', e ->> 'customerId',
               'status', 'invited', 'user_id', gen_random_uuid())), '[]'::jsonb)
             from claimed, jsonb_array_elements(claimed.c) e))`,
            [
              agentKey,
              customerRun.id,
              CUSTOMERS / 1000 - 1,
              customerBatch(CUSTOMERS / 1000 - 1, CUSTOMERS - 1000),
              JSON.stringify(customers.slice(CUSTOMERS - 1000).map((c) => c.wispro_id)),
            ],
          ),
      },
    ];

  const measured: { name: string; role: Role; ms: number; cpuMs: number; share: number }[] = [];
  for (const { name, role, call } of calls) {
    let worst = { ms: 0, cpuMs: 0 };
    for (let i = 0; i < REPEATS; i++) {
      // Only the single customers batch is not repeatable: its seq would be a replay.
      if (i > 0 && name.startsWith("ingest_customers")) break;
      const took = await call().catch((error: { code?: string }) => {
        // Postgres cancelled it at the timeout: record it as over, name it, and fail at the end.
        if (error.code !== "57014") throw error;
        return { ms: Infinity, cpuMs: NaN };
      });
      if (took.ms > worst.ms) worst = took;
    }
    measured.push({ name, role, ...worst, share: worst.ms / timeoutMs.get(role)! });
  }
  measured.sort((a, b) => b.share - a.share);
  console.table(
    measured.map((m) => ({
      rpc: m.name,
      role: m.role,
      ms: Math.round(m.ms),
      cpu_ms: Math.round(m.cpuMs),
      timeout_ms: timeoutMs.get(m.role),
      share: round(m.share, 3),
    })),
  );
  const slowest = measured[0]!;
  const over = measured.filter((m) => m.ms === Infinity);
  if (over.length > 0) {
    throw new Error(
      `over their statement_timeout: ${over.map((m) => `${m.name} as ${m.role}`).join("; ")}`,
    );
  }
  const [version] = await sql<{ v: string }[]>`select current_setting('server_version') as v`;
  writeResult(
    "rpc-timeouts",
    {
      slowest_share_of_timeout: round(slowest.share, 3),
      slowest_ms: Math.round(slowest.ms),
      slowest_backend_cpu_ms: Math.round(slowest.cpuMs),
      slowest_timeout_ms: timeoutMs.get(slowest.role)!,
    },
    { postgres: version?.v ?? "unknown" },
    {
      slowest_rpc: `${slowest.name} as ${slowest.role}`,
      planillas: PLANILLAS,
      elementos: PLANILLAS * PER_PLANILLA,
      runs: HISTORY_RUNS + 3,
      customers: CUSTOMERS,
      repeats: REPEATS,
      ...Object.fromEntries(
        measured.map((m) => [
          `${m.name} as ${m.role}`,
          `${Math.round(m.ms)} ms (backend CPU ${Math.round(m.cpuMs)} ms)`,
        ]),
      ),
      note:
        "each call in its own transaction as its role, under the statement_timeout the role carries (service_role: the authenticator's); worst of the repeats",
    },
  );

  // The Planillas screen's lookups: p95 over varied codes (stored, edited, never stored; the forms
  // people type), as an admin under authenticated's timeout.
  const codeOf = (p: number) => `${2000 + (p % 26)}-${String(p).padStart(6, "0")}`;
  const sample = (i: number) =>
    1 + Math.floor(((i * 7919) % LOOKUP_SAMPLES) * PLANILLAS / LOOKUP_SAMPLES);
  const lookups: Record<string, (i: number) => [string, unknown[]]> = {
    find_planillas: (i) => {
      const p = sample(i);
      const year = 2000 + (p % 26);
      const typed = [
        `${year}-${p}`, // stored, short form
        `${String(year).slice(2)}-${p}`, // stored, two-digit year
        `${year + 1}-${p}`, // not stored: the same number in other years, neighbours
        `planilla ${p}`, // no code form
      ][i % 4]!;
      return ["select public.find_planillas($1)", [typed]];
    },
    planilla_status: (i) => [
      "select public.planilla_status($1)",
      [i % 3 === 0 ? editedCode : codeOf(sample(i))],
    ],
    planilla_elementos: (i) => [
      "select public.planilla_elementos($1)",
      [i % 3 === 0 ? editedCode : codeOf(sample(i))],
    ],
    planilla_journal: (i) => [
      "select public.planilla_journal($1)",
      [i % 3 === 0 ? editedCode : codeOf(sample(i))],
    ],
  };
  const p95 = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.95) - 1]!;
  const lookupMetrics: Record<string, number> = {};
  const lookupNotes: Record<string, number> = {};
  for (const [name, query] of Object.entries(lookups)) {
    const ms: number[] = [];
    for (let i = 0; i < LOOKUP_SAMPLES; i++) {
      const [text, params] = query(i);
      ms.push((await timed("authenticated", text, params)).ms);
    }
    lookupMetrics[`${name}_p95_ms`] = round(p95(ms), 1);
    lookupNotes[`${name}_max_ms`] = round(Math.max(...ms), 1);
  }
  const slowestLookup = Math.max(...Object.values(lookupMetrics));
  writeResult(
    "lookup",
    {
      ...lookupMetrics,
      slowest_p95_share_of_timeout: round(slowestLookup / timeoutMs.get("authenticated")!, 4),
    },
    { postgres: version?.v ?? "unknown" },
    {
      ...lookupNotes,
      samples_each: LOOKUP_SAMPLES,
      planillas: PLANILLAS,
      elementos: PLANILLAS * PER_PLANILLA,
      journal_rows: Number(
        (await sql<{ n: number }[]>`select count(*)::int as n from public.planilla_changes`)[0]!.n,
      ),
      note:
        "each call in its own transaction as an admin (authenticated), under its statement_timeout; codes spread over the dataset, a third of them a planilla with a journal of more than one page",
    },
  );
} finally {
  await db.stop();
}
