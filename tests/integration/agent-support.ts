// Shared by the agent's whole-system tests (agent-*.test.ts): the agent as a child process (daemon or
// one-shot sync), commands sent as the panel sends them, and what "ends exactly the source" means: the
// replica's content per table equals what a clean, fault-free sync of the same source stored.
import { afterAll, beforeAll, expect } from "bun:test";
import postgres from "postgres";
import { agentSpawnOptions, newAgentHome } from "../../devstack/src/agent-process.ts";
import { killWhenOwnerExits } from "../../devstack/src/process-guard.ts";
import {
  bootStack,
  callEdge,
  type ReadyInfo,
  signIn,
  type Stack,
  type StackOptions,
  until,
  uuid,
} from "./support.ts";

export { until };

/** The FerraWin replica, in foreign-key order (truncated together between scenarios). */
export const REPLICA_TABLES = ["clientes", "obras", "planillas", "elementos", "entidades"] as const;

/** Columns that say when or by which run a row was written, not what it holds. */
const BOOKKEEPING = new Set(["first_synced_at", "synced_at", "last_run_id"]);

export interface TableContent {
  rows: number;
  /** md5 of every row's content columns, in primary-key order. */
  sum: string;
}

/** Row count and content checksum of each replica table (bookkeeping columns left out). */
export async function replicaContent(dbUrl: string): Promise<Record<string, TableContent>> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const content: Record<string, TableContent> = {};
    for (const table of REPLICA_TABLES) {
      const columns = await sql<{ name: string }[]>`
        select column_name as name from information_schema.columns
        where table_schema = 'public' and table_name = ${table} order by ordinal_position`;
      const kept = columns.map((c) => `t."${c.name}"`)
        .filter((_, i) => !BOOKKEEPING.has(columns[i]!.name)).join(", ");
      const [row] = await sql.unsafe<{ rows: number; sum: string }[]>(
        `select count(*)::int as rows, md5(coalesce(string_agg(row(${kept})::text, '|'
           order by row(${kept})::text), '')) as sum from public.${table} t`,
      );
      content[table] = { rows: row!.rows, sum: row!.sum };
    }
    return content;
  } finally {
    await sql.end();
  }
}

/** Empties the replica (not the runs), so the next sync is a first load again. */
export async function emptyReplica(dbUrl: string): Promise<void> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`truncate ${REPLICA_TABLES.map((t) => `public.${t}`).join(", ")}`);
  } finally {
    await sql.end();
  }
}

/** Duplicated keys in the replica (there must be none: each is a primary key, checked anyway). */
export async function duplicateKeys(dbUrl: string): Promise<number> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: number }[]>`
      select ((select count(*) - count(distinct codigo) from public.planillas)
        + (select count(*) - count(distinct (planilla_codigo, ferrawin_id)) from public.elementos)
        + (select count(*) - count(distinct (planilla_codigo, linea)) from public.entidades))::int as n`;
    return row!.n;
  } finally {
    await sql.end();
  }
}

/**
 * `puente-agent <args>` from source, killed if this test process dies; its output goes to `onText` as
 * it comes. `streams` settles once both stdout and stderr are read to their end.
 */
function spawnAgent(
  info: ReadyInfo,
  args: string[],
  home: string,
  env: Record<string, string>,
  onText: (text: string, isStdout: boolean) => void,
) {
  const child = Bun.spawn({
    ...agentSpawnOptions(info, args, home, env),
    stdout: "pipe",
    stderr: "pipe",
  });
  killWhenOwnerExits(child.pid);
  const collect = async (stream: ReadableStream<Uint8Array>, isStdout: boolean) => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      onText(decoder.decode(read.value, { stream: true }), isStdout);
    }
  };
  const streams = Promise.all([
    collect(child.stdout as ReadableStream<Uint8Array>, true),
    collect(child.stderr as ReadableStream<Uint8Array>, false),
  ]);
  return { child, streams };
}

/** One `puente-agent <args>` child process from source, its stdout and stderr collected. */
export class AgentProcess {
  readonly child: ReturnType<typeof Bun.spawn>;
  output = "";
  stdout = "";
  readonly exited: Promise<number>;

  constructor(info: ReadyInfo, args: string[], home: string, env: Record<string, string> = {}) {
    const { child, streams } = spawnAgent(info, args, home, env, (text, isStdout) => {
      this.output += text;
      if (isStdout) this.stdout += text;
    });
    this.child = child;
    this.exited = this.child.exited.then(async (code) => {
      await streams;
      return code;
    });
  }

  get pid(): number {
    return this.child.pid;
  }

  /** The `--json` outcome a one-shot `sync` prints last. */
  outcome<T>(): T {
    const start = this.stdout.lastIndexOf("\n{\n");
    return JSON.parse(start >= 0 ? this.stdout.slice(start + 1) : this.stdout) as T;
  }

  /** SIGKILL: no chance to pause, save or say goodbye, as a power cut. */
  async kill(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM and wait (SIGKILL after `graceMs`). */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    const code = await Promise.race([this.exited, Bun.sleep(graceMs).then(() => null)]);
    if (code === null) await this.kill();
  }
}

/**
 * A `puente-agent <args>` process from source that can be frozen, crashed, stopped and started again
 * (the chaos tests' and the realtime daemon's): its output is collected across restarts.
 */
export class RestartableAgent {
  output = "";
  #child: ReturnType<typeof Bun.spawn> | null = null;
  #exit: Promise<number> | null = null;

  constructor(
    private readonly stack: { info: ReadyInfo },
    private readonly home: string,
    private readonly env: Record<string, string> = {},
  ) {}

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  get isRunning(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  start(args: string[] = ["run"]): void {
    if (this.#child) throw new Error("agent process already started");
    const { child, streams } = spawnAgent(this.stack.info, args, this.home, this.env, (text) => {
      this.output += text;
    });
    this.#child = child;
    this.#exit = child.exited.then(async (code) => {
      await streams.catch(() => undefined);
      return code;
    });
  }

  /** Resolves with the exit code once the process ended and its output is read. */
  exited(): Promise<number> {
    if (!this.#exit) throw new Error("agent process not started");
    return this.#exit;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.isRunning) this.#child!.kill(signal);
  }

  /** SIGKILL, as a power cut or a crash would end it; waits for the process to be gone. */
  async crash(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    if (this.isRunning) child.kill("SIGKILL");
    await this.exited();
    this.#child = null;
    this.#exit = null;
  }

  /** SIGTERM (SIGCONT first, in case it was stopped), SIGKILL after 15 s; safe to call twice. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    if (this.isRunning) {
      child.kill("SIGCONT");
      child.kill("SIGTERM");
    }
    const exited = await Promise.race([this.exited(), Bun.sleep(15_000).then(() => null)]);
    if (exited === null) child.kill("SIGKILL");
    await this.exited();
    this.#child = null;
    this.#exit = null;
  }
}

/** The agent processes one test file starts: their joined output, and one place to stop them all. */
export class AgentProcesses {
  readonly all: AgentProcess[] = [];
  constructor(
    private readonly info: () => ReadyInfo,
    private readonly env: Record<string, string> = {},
  ) {}

  spawn(args: string[], home: string, env: Record<string, string> = {}): AgentProcess {
    const agent = new AgentProcess(this.info(), args, home, { ...this.env, ...env });
    this.all.push(agent);
    return agent;
  }

  output = (): string => this.all.map((a) => a.output).join("\n---\n");

  /** A `run` daemon, once its Pusher connection is up. */
  async connectedDaemon(
    home = newAgentHome(),
    env: Record<string, string> = {},
  ): Promise<AgentProcess> {
    const daemon = this.spawn(["run"], home, env);
    await until(
      "the daemon is connected",
      () => daemon.output.includes("→ connected"),
      20_000,
      this.output,
    );
    return daemon;
  }

  async stopAll(graceMs = 5000): Promise<void> {
    for (const agent of this.all) await agent.stop(graceMs);
  }
}

/** Sends a command through the edge as the panel does; returns its id. */
export async function sendCommand(
  info: ReadyInfo,
  token: string,
  action: "start" | "pause" | "resume" | "cancel",
  params: Record<string, unknown>,
): Promise<string> {
  const answer = await callEdge(info, "/commands", {
    token,
    body: { requestId: uuid(), agentId: info.agent.id, source: "ferrawin", action, params },
  });
  if (answer.status !== 201) {
    throw new Error(
      `POST /commands ${action} answered ${answer.status}: ${JSON.stringify(answer.body)}`,
    );
  }
  return answer.body.commandId as string;
}

/** A seed from PUENTE_TEST_SEED or a fresh one, printed so a failure can be replayed. */
export function testSeed(label: string): number {
  const fromEnv = Number(process.env.PUENTE_TEST_SEED);
  const seed = Number.isInteger(fromEnv) && fromEnv > 0
    ? fromEnv
    : Math.floor(Math.random() * 2 ** 31) + 1;
  console.log(`${label}: seed ${seed} (replay with PUENTE_TEST_SEED=${seed})`);
  return seed;
}

export interface RunRow {
  id: string;
  status: string;
  total: number | null;
  done: number;
  scheduled: boolean;
  counts: Record<string, Record<string, number>>;
}

const FINAL = ["completed", "failed", "cancelled"];

/** Reads runs and batches straight from Postgres, as the assertions need them. */
export class RunProbe {
  constructor(private readonly sql: postgres.Sql, private readonly context: () => string) {}

  async run(id: string): Promise<RunRow> {
    const [row] = await this.sql<RunRow[]>`
      select id, status, total, done, scheduled, counts from public.runs where id = ${id}`;
    return row!;
  }

  async runOfCommand(commandId: string): Promise<string> {
    let id: string | undefined;
    await until(
      `a run for command ${commandId}`,
      async () => {
        [{ id } = { id: undefined }] = await this.sql<{ id: string }[]>`
        select id from public.runs where command_id = ${commandId}`;
        return id !== undefined;
      },
      20_000,
      this.context,
    );
    return id!;
  }

  async batchCount(runId: string): Promise<number> {
    const [row] = await this.sql<{ n: number }[]>`
      select count(*)::int as n from public.ingest_batches where run_id = ${runId}`;
    return row!.n;
  }

  async batchSeqs(runId: string): Promise<number[]> {
    const rows = await this.sql<{ seq: number }[]>`
      select seq from public.ingest_batches where run_id = ${runId} order by seq`;
    return rows.map((r) => r.seq);
  }

  async untilBatches(runId: string, atLeast: number, ms = 60_000): Promise<void> {
    await until(
      `${atLeast} batches of run ${runId}`,
      async () => {
        return (await this.batchCount(runId)) >= atLeast;
      },
      ms,
      this.context,
    );
  }

  async finished(runId: string, ms = 90_000): Promise<RunRow> {
    await until(
      `run ${runId} finished`,
      async () => {
        return FINAL.includes((await this.run(runId)).status);
      },
      ms,
      this.context,
    );
    return await this.run(runId);
  }

  async untilStatus(runId: string, status: string, ms = 60_000): Promise<void> {
    await until(
      `run ${runId} ${status}`,
      async () => {
        return (await this.run(runId)).status === status;
      },
      ms,
      this.context,
    );
  }
}

/**
 * The run ended exactly the source: the replica equals the clean sync's (`reference`), no key twice,
 * and its counts add up: every item done once, each planilla and elemento created exactly once across
 * restarts and retries (a batch sent again finds its rows unchanged), and nothing updated. Call it
 * after `emptyReplica` and one run.
 */
export async function expectExact(
  dbUrl: string,
  run: RunRow,
  reference: Record<string, TableContent>,
  sourceItems: number,
): Promise<void> {
  expect(await replicaContent(dbUrl)).toEqual(reference);
  expect(await duplicateKeys(dbUrl)).toBe(0);
  expect({ status: run.status, done: run.done, total: run.total }).toEqual({
    status: "completed",
    done: sourceItems,
    total: sourceItems,
  });
  expect({
    planillas: run.counts.planillas?.created,
    elementos: run.counts.elementos?.created,
    updated: run.counts.planillas?.updated,
  }).toEqual({
    planillas: reference.planillas!.rows,
    elementos: reference.elementos!.rows,
    updated: 0,
  });
}

/**
 * A clean, fault-free `sync ferrawin --mode all` into an empty replica: what every faulty run must
 * end equal to, and the number of items (planillas and refused planillas) the source has.
 */
export async function referenceSync(
  info: ReadyInfo,
  env: Record<string, string> = {},
): Promise<{ reference: Record<string, TableContent>; sourceItems: number }> {
  await emptyReplica(info.dbUrl);
  const clean = new AgentProcess(
    info,
    ["sync", "ferrawin", "--mode", "all", "--json"],
    newAgentHome(),
    env,
  );
  const code = await clean.exited;
  if (code !== 0) {
    throw new Error(`the reference sync exited ${code}:\n${clean.output.slice(-3000)}`);
  }
  const outcome = clean.outcome<{ status: string; done: number; total: number }>();
  expect(outcome.status).toBe("completed");
  expect(outcome.done).toBe(outcome.total);
  const reference = await replicaContent(info.dbUrl);
  expect(reference.planillas!.rows).toBeGreaterThan(0);
  return { reference, sourceItems: outcome.total };
}

/** What `useReferenceStack` hands its file once the stack is up. */
export interface ReferenceStack {
  stack: Stack;
  sql: postgres.Sql;
  adminToken: string;
  /** What a clean, fault-free sync of the fixture stored, and the item count of that run. */
  reference: Record<string, TableContent>;
  sourceItems: number;
}

/**
 * One stack for the whole file, with a Postgres client, the admin signed in and a `referenceSync`
 * done before its tests; after them its agents, the client and the stack are stopped, in that order.
 */
export function useReferenceStack(
  options: StackOptions,
  agents: AgentProcesses,
  ready: (booted: ReferenceStack) => void,
): void {
  let stack: Stack | undefined;
  let sql: postgres.Sql | undefined;
  beforeAll(async () => {
    stack = await bootStack(options);
    sql = postgres(stack.info.dbUrl, { max: 2, onnotice: () => {} });
    const adminToken = await signIn(stack.info, "admin");
    const { reference, sourceItems } = await referenceSync(stack.info);
    ready({ stack, sql, adminToken, reference, sourceItems });
  }, 180_000);
  afterAll(async () => {
    await agents.stopAll();
    await sql?.end();
    await stack?.stop();
  }, 60_000);
}

/** The single row a query must return. */
export async function one<T>(rows: PromiseLike<readonly T[]>): Promise<T> {
  const [row] = await rows;
  if (row === undefined) throw new Error("the query returned no row");
  return row;
}
