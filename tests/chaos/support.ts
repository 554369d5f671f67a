// Shared by the chaos tests: the seed (printed, replayable with CHAOS_SEED), agent processes that can be
// killed and restarted, and the exactness checks: what Postgres holds, table by table, must equal what
// the FerraWin source yields, with no duplicates, and a run's counts must add up to its batches.
import { expect } from "bun:test";
import { createHash } from "node:crypto";
import postgres from "postgres";
import type { EntityCounts } from "@puente/protocol";
import { seededRandom } from "../../devstack/src/random.ts";
import {
  callEdge,
  ferrawinItemsAll,
  type Stack,
  type SyncOutcome,
  until,
} from "../integration/support.ts";
import { RestartableAgent } from "../integration/agent-support.ts";

export { RestartableAgent, until };
export type { SyncOutcome };

export const IS_CI = ["1", "true"].includes((process.env.CI ?? "").toLowerCase());

/** The statuses a run ends in. */
export const TERMINAL = ["completed", "failed", "cancelled"];

/**
 * The suite's seed: CHAOS_SEED when set (replay), else a fresh one. Printed so a failure can be
 * replayed. `between(min, max)` draws a whole number in [min, max] from the same seeded stream.
 */
export function chaosSeed(
  suite: string,
): { seed: number; random: () => number; between: (min: number, max: number) => number } {
  const fromEnv = Number.parseInt(process.env.CHAOS_SEED ?? "", 10);
  const seed = Number.isFinite(fromEnv) ? fromEnv : Math.floor(Math.random() * 2 ** 31);
  console.log(`chaos ${suite}: seed ${seed} (replay: CHAOS_SEED=${seed} npm run test:chaos)`);
  const random = seededRandom(seed);
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  return { seed, random, between };
}

/** Enqueues a command through the edge as the web does; returns the HTTP answer. */
export function postCommand(
  stack: Stack,
  token: string,
  command: { requestId: string; action: string; source?: string; params?: Record<string, unknown> },
) {
  return callEdge(stack.info, "/commands", {
    token,
    body: {
      agentId: stack.info.agent.id,
      source: "ferrawin",
      params: {},
      ...command,
    },
  });
}

const sha = (lines: string[]) => createHash("md5").update(lines.sort().join("\n")).digest("hex");

/** JSON with sorted keys, so jsonb and JavaScript objects compare equal. */
function canonical(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : 1
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const num = (value: unknown, digits: number) =>
  value === null || value === undefined ? "null" : Number(Number(value).toFixed(digits)).toString();
const text = (value: unknown) => (value === null || value === undefined ? "null" : String(value));
/** FerraWin codes are stored without leading zeros (private.entity_code). */
const entityCode = (value: unknown) => {
  const trimmed = text(value).trim();
  return trimmed.replace(/^0+/, "") || (trimmed === "" ? "null" : "0");
};

/** One line per row of each replica table, in a shape both sides can produce. */
export interface ReplicaLines {
  clientes: string[];
  obras: string[];
  planillas: string[];
  elementos: string[];
  entidades: string[];
}

const planillaLine = (p: Record<string, unknown>, elementos: number) =>
  [
    p.codigo,
    p.zconta,
    text(p.descripcion),
    text(p.seccion),
    text(p.ensamblado),
    p.obra_codigo,
    num(p.peso_total_kg, 3),
    elementos,
    p.fingerprint,
  ].join("|");
const elementoLine = (codigo: unknown, e: Record<string, unknown>) =>
  [
    codigo,
    e.ferrawin_id,
    e.fila,
    text(e.marca),
    text(e.descripcion_fila),
    num(e.diametro_mm, 2),
    text(e.figura),
    num(e.longitud_mm, 2),
    text(e.dobleces),
    text(e.barras),
    num(e.peso_kg, 3),
    text(e.dimensiones),
    text(e.etiqueta),
  ].join("|");
const entidadLine = (codigo: unknown, n: Record<string, unknown>) =>
  [
    codigo,
    n.linea,
    text(n.marca),
    text(n.situacion),
    text(n.cantidad),
    text(n.miembros),
    text(n.modelo),
    text(n.cotas),
    canonical(n.composicion),
    canonical(n.distribucion),
  ].join("|");

/** What the FerraWin source yields for `all`, read through tedious independently of the agent's runner. */
export async function sourceLines(stack: Stack): Promise<ReplicaLines & { rejects: number }> {
  const lines: ReplicaLines = {
    clientes: [],
    obras: [],
    planillas: [],
    elementos: [],
    entidades: [],
  };
  const clientes = new Map<string, string>();
  const obras = new Map<string, string>();
  let rejects = 0;
  for await (const item of ferrawinItemsAll(stack.info)) {
    if (item.kind === "reject") {
      rejects++;
      continue;
    }
    const p = item.planilla;
    const obra = entityCode(p.obra.codigo);
    const cliente = p.obra.cliente ? entityCode(p.obra.cliente.codigo) : "null";
    obras.set(obra, [obra, text(p.obra.nombre), cliente].join("|"));
    if (p.obra.cliente) {
      clientes.set(cliente, [cliente, text(p.obra.cliente.nombre)].join("|"));
    }
    lines.planillas.push(
      planillaLine({ ...p, obra_codigo: obra } as Record<string, unknown>, p.elementos.length),
    );
    for (const e of p.elementos) lines.elementos.push(elementoLine(p.codigo, e));
    for (const n of p.entidades) lines.entidades.push(entidadLine(p.codigo, n));
  }
  lines.clientes = [...clientes.values()];
  lines.obras = [...obras.values()];
  return { ...lines, rejects };
}

/** The replica tables as Postgres holds them, in the same line shape as `sourceLines`. */
export async function replicaLines(dbUrl: string): Promise<ReplicaLines> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const clientes = await sql`select codigo, nombre from public.clientes`;
    const obras = await sql`select codigo, nombre, cliente_codigo from public.obras`;
    const planillas = await sql`select p.*, (select count(*)::int from public.elementos e
      where e.planilla_codigo = p.codigo) as n from public.planillas p`;
    const elementos = await sql`select * from public.elementos`;
    const entidades = await sql`select * from public.entidades`;
    return {
      clientes: clientes.map((c) => [c.codigo, text(c.nombre)].join("|")),
      obras: obras.map((o) => [o.codigo, text(o.nombre), text(o.cliente_codigo)].join("|")),
      planillas: planillas.map((p) => planillaLine(p, p.n as number)),
      elementos: elementos.map((e) => elementoLine(e.planilla_codigo, e)),
      entidades: entidades.map((n) => entidadLine(n.planilla_codigo, n)),
    };
  } finally {
    await sql.end();
  }
}

/** Per-table row count and checksum, for comparing two `ReplicaLines` in one readable assertion. */
export function checksums(lines: ReplicaLines): Record<string, string> {
  const out: Record<string, string> = {};
  for (const table of ["clientes", "obras", "planillas", "elementos", "entidades"] as const) {
    out[table] = `${lines[table].length} rows, md5 ${sha([...lines[table]])}`;
  }
  return out;
}

/** Lines present on one side only (first few), to say what differs when checksums do not match. */
export function difference(want: ReplicaLines, got: ReplicaLines): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const table of ["clientes", "obras", "planillas", "elementos", "entidades"] as const) {
    const have = new Set(got[table]);
    const expected = new Set(want[table]);
    const missing = want[table].filter((l) => !have.has(l));
    const extra = got[table].filter((l) => !expected.has(l));
    if (missing.length || extra.length) {
      out[table] = { missing: missing.slice(0, 3), extra: extra.slice(0, 3) };
    }
  }
  return out;
}

/** How many source rows the replica lacks (or holds differently), over every table. */
export function missingRows(want: ReplicaLines, got: ReplicaLines): number {
  let missing = 0;
  for (const table of ["clientes", "obras", "planillas", "elementos", "entidades"] as const) {
    const have = new Set(got[table]);
    missing += want[table].filter((l) => !have.has(l)).length;
  }
  return missing;
}

/**
 * The replica equals the source table by table, with no duplicates. What it lacks and holds twice is
 * added to `tally` first, so the suite's summary counts it even when an assertion fails.
 */
export async function expectExact(
  stack: Stack,
  label: string,
  tally: { lost: number; duplicated: number },
): Promise<ReplicaLines> {
  const [want, got] = await Promise.all([sourceLines(stack), replicaLines(stack.info.dbUrl)]);
  const twice = await duplicateKeys(stack.info.dbUrl);
  tally.lost += missingRows(want, got);
  tally.duplicated += twice;
  expect({ label, diff: difference(want, got) }).toEqual({ label, diff: {} });
  expect(checksums(got)).toEqual(checksums(want));
  expect(twice).toBe(0);
  return want;
}

/** Edits the bars of `n` planillas spread over the source (seeded), so the next sync carries updates. */
export async function changePlanillas(stack: Stack, n: number, random: () => number) {
  const ferrawin = postgres(stack.ferrawinUrl, { max: 1, onnotice: () => {} });
  try {
    await ferrawin`update ferrawin.ord_bar set zcantidad = zcantidad + 1
      where (zconta, zcodigo) in (select zconta, zcodigo from ferrawin.ord_head
        order by md5(zcodigo || ${String(random())}) limit ${n})`;
  } finally {
    await ferrawin.end();
  }
}

/** Rows whose natural key appears more than once (the primary keys should make this impossible). */
export async function duplicateKeys(dbUrl: string): Promise<number> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: number }[]>`select
      (select count(*) - count(distinct codigo) from public.planillas)
      + (select count(*) - count(distinct (planilla_codigo, ferrawin_id)) from public.elementos)
      + (select count(*) - count(distinct (planilla_codigo, linea)) from public.entidades)
      + (select count(*) - count(distinct wispro_id) from public.customers) as n`;
    return Number(row?.n ?? 0);
  } finally {
    await sql.end();
  }
}

export interface RunRow {
  id: string;
  status: string;
  total: number | null;
  done: number;
  counts: Record<string, EntityCounts>;
  reported_counts: Record<string, EntityCounts>;
  cursor: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
}

export async function runRow(sql: postgres.Sql, runId: string): Promise<RunRow | undefined> {
  const [row] = await sql<RunRow[]>`
    select id, status, total, done, counts, reported_counts, cursor, error from public.runs
    where id = ${runId}`;
  return row;
}

/** How many batches of the run the database accepted. */
export async function batchCount(sql: postgres.Sql, runId: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.ingest_batches where run_id = ${runId}`;
  return row?.n ?? 0;
}

/** Waits for run `runId` to end (a terminal status); returns its row. */
export async function runEnded(
  sql: postgres.Sql,
  runId: string,
  label: string,
  ms: number,
  context?: () => string,
): Promise<RunRow> {
  await until(
    label,
    async () => TERMINAL.includes((await runRow(sql, runId))?.status ?? ""),
    ms,
    context,
  );
  return (await runRow(sql, runId))!;
}

/** Waits for the run that command `commandId` opened to end (a terminal status); returns its row. */
export async function commandRunEnded(
  sql: postgres.Sql,
  commandId: string,
  label: string,
  ms: number,
  context?: () => string,
): Promise<RunRow> {
  let runId = "";
  await until(
    label,
    async () => {
      const [row] = await sql<{ id: string; status: string }[]>`
        select id, status from public.runs where command_id = ${commandId}`;
      runId = row?.id ?? "";
      return row !== undefined && TERMINAL.includes(row.status);
    },
    ms,
    context,
  );
  return (await runRow(sql, runId))!;
}

/** Waits for a daemon's Pusher connection: its "→ connected" line. */
export async function untilConnected(
  agent: RestartableAgent,
  label = "the agent to connect",
): Promise<void> {
  await until(label, () => agent.output.includes("→ connected"), 30_000);
}

const KINDS = ["planillas", "elementos", "entidades", "customers"] as const;
const FIELDS = ["created", "updated", "unchanged", "deleted", "rejected"] as const;

/** The counts of every batch the database accepted for a run, added up (each batch once). */
export async function batchCountTotals(
  sql: postgres.Sql,
  runId: string,
): Promise<{ batches: number; counts: Record<string, EntityCounts> }> {
  const rows = await sql<{ result: { counts: Record<string, Partial<EntityCounts>> } }[]>`
    select result from public.ingest_batches where run_id = ${runId}`;
  const counts: Record<string, EntityCounts> = {};
  for (const { result } of rows) {
    for (const kind of KINDS) {
      const part = result.counts?.[kind];
      if (!part) continue;
      const sum = counts[kind] ??= {
        created: 0,
        updated: 0,
        unchanged: 0,
        deleted: 0,
        rejected: 0,
      };
      for (const field of FIELDS) sum[field] += part[field] ?? 0;
    }
  }
  return { batches: rows.length, counts };
}

/** `counts` with absent kinds and fields filled with zeros, so two shapes compare field by field. */
export function fullCounts(
  counts: Record<string, Partial<EntityCounts>> | null | undefined,
): Record<string, EntityCounts> {
  const out: Record<string, EntityCounts> = {};
  for (const kind of KINDS) {
    const part = counts?.[kind];
    if (!part) continue;
    out[kind] = {
      created: part.created ?? 0,
      updated: part.updated ?? 0,
      unchanged: part.unchanged ?? 0,
      deleted: part.deleted ?? 0,
      rejected: part.rejected ?? 0,
    };
  }
  return out;
}

/** Each planilla's rows (header, elementos, entidades) as one string, by code. */
export function planillaGroups(lines: ReplicaLines): Map<string, string> {
  const parts = new Map<string, string[]>();
  const add = (line: string, tag: string) => {
    const code = line.slice(0, line.indexOf("|"));
    const list = parts.get(code) ?? [];
    list.push(`${tag}${line}`);
    parts.set(code, list);
  };
  for (const line of lines.planillas) add(line, "P ");
  for (const line of lines.elementos) add(line, "E ");
  for (const line of lines.entidades) add(line, "N ");
  return new Map([...parts].map(([code, list]) => [code, list.sort().join("\n")]));
}

/**
 * Codes of the stored planillas that are neither as they were before a run (`before`, from
 * `planillaGroups`) nor as the source has them now: a mix of the two is a half-written planilla.
 */
export async function halfWrittenPlanillas(
  stack: Stack,
  before: Map<string, string>,
): Promise<string[]> {
  const [want, got] = await Promise.all([sourceLines(stack), replicaLines(stack.info.dbUrl)]);
  const now = planillaGroups(want);
  return [...planillaGroups(got)].filter(([code, rows]) =>
    rows !== now.get(code) && rows !== before.get(code)
  ).map(([code]) => code);
}
