// The end-to-end scenario the e2e, noop and changed benchmarks share: a whole devstack loaded with a
// generated FerraWin fixture, the agent run from source as `puente-agent sync ferrawin`, and the
// measurements around it (wall time, the agent's peak RSS, CPU seconds per stage, the run's counts),
// plus the physical limit: COPY of the same rows into tables of the same shape, in the same run.
import { rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import postgres, { type Sql } from "postgres";
import type { EntityCounts } from "@puente/protocol";
import { type Stack, startStack } from "../../devstack/src/stack.ts";
import { agentSpawnOptions, newAgentHome } from "../../devstack/src/agent-process.ts";
import { killWhenOwnerExits } from "../../devstack/src/process-guard.ts";
import { cpuBetween, processTree, readProcesses, sampleMemory } from "./cpu.ts";
import { packageVersion, repoRoot, round } from "../results.ts";

export interface ScenarioOptions {
  /** Generated planillas (`--planillas N`, default 37,000: FerraWin's size, about 2 million bars). */
  planillas: number;
  seed: number;
}

export function scenarioOptions(argv = process.argv.slice(2)): ScenarioOptions {
  const { values } = parseArgs({
    args: argv,
    options: { planillas: { type: "string", default: "37000" }, seed: { type: "string" } },
    strict: false,
  });
  const planillas = Number(values.planillas);
  const seed = Number(values.seed ?? 1);
  if (!Number.isInteger(planillas) || planillas < 100) {
    throw new Error(`--planillas must be a whole number of at least 100 (got ${values.planillas})`);
  }
  if (!Number.isInteger(seed)) {
    throw new Error(`--seed must be a whole number (got ${values.seed})`);
  }
  return { planillas, seed };
}

/** What one `sync ferrawin` run cost and did. */
export interface SyncMeasure {
  mode: "all" | "incremental";
  /** Agent process start to exit: deciding, reading, sending, finishing. */
  wallS: number;
  /** The run row's started_at → finished_at (what the panel shows). */
  runS: number;
  /** VmHWM of the agent process, polled from /proc while it ran. */
  agentPeakRssMb: number;
  runId: string;
  status: string;
  /** Planillas (and refused planillas) the agent sent in batches. */
  done: number;
  counts: Partial<Record<"planillas" | "elementos" | "entidades", Partial<EntityCounts>>>;
  batches: number;
  /** CPU seconds per stage during the run (every stage shares the same cores). */
  cpuS: Record<string, number>;
  /** The machine's 1-minute load average when the run started and ended. */
  loadBefore: number;
  loadAfter: number;
}

export interface CopyMeasure {
  rows: { planillas: number; elementos: number; entidades: number };
  totalRows: number;
  seconds: number;
  rowsPerS: number;
}

/** The agent's settings the benchmark runs with (its defaults unless the environment says otherwise). */
export function agentSettings(): Record<string, string> {
  return {
    PUENTE_BATCH_PLANILLAS: process.env.PUENTE_BATCH_PLANILLAS ?? "50",
    PUENTE_BATCH_ELEMENTOS: process.env.PUENTE_BATCH_ELEMENTOS ?? "5000",
    PUENTE_MAX_IN_FLIGHT: process.env.PUENTE_MAX_IN_FLIGHT ?? "3",
  };
}

export class Scenario {
  private constructor(
    readonly options: ScenarioOptions,
    readonly stack: Stack,
    private readonly sql: Sql,
    private readonly ferrawin: Sql,
    private readonly agentHome: string,
    /** Untimed: starting the stand-ins and loading the fixture. */
    readonly setupS: number,
  ) {}

  /** Starts the devstack with the generated fixture (untimed setup). */
  static async open(options: ScenarioOptions): Promise<Scenario> {
    const started = performance.now();
    console.log(`starting the devstack with ${options.planillas} generated planillas…`);
    const stack = await startStack({
      planillas: options.planillas,
      seed: options.seed,
      wisproClients: 10,
    });
    const sql = postgres(stack.info.dbUrl, { max: 2, onnotice: () => {} });
    const ferrawin = postgres(stack.ferrawinUrl, { max: 1, onnotice: () => {} });
    const setupS = (performance.now() - started) / 1000;
    console.log(`devstack ready in ${setupS.toFixed(1)} s`);
    return new Scenario(options, stack, sql, ferrawin, newAgentHome(), setupS);
  }

  /** The postmaster's pid: the root of every Postgres process, for CPU seconds per process tree. */
  async postmasterPid(): Promise<number> {
    const [backend] = await this.sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
    return readProcesses().get(backend!.pid)?.ppid ?? 0;
  }

  /** Runs `puente-agent sync ferrawin --mode <mode>` to the end and measures it. */
  async sync(mode: "all" | "incremental"): Promise<SyncMeasure> {
    const postmaster = await this.postmasterPid();
    const loadBefore = loadavg()[0]!;
    const before = readProcesses();
    const benchBefore = process.cpuUsage();
    const started = performance.now();
    const child = Bun.spawn({
      ...agentSpawnOptions(
        this.stack.info,
        ["sync", "ferrawin", "--mode", mode],
        this.agentHome,
        agentSettings(),
      ),
      stdout: "pipe",
      stderr: "pipe",
    });
    killWhenOwnerExits(child.pid);
    const memory = sampleMemory(child.pid);
    const [stdout, stderr, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    const wallS = (performance.now() - started) / 1000;
    let peak = memory.stop().peakKb / 1024;
    const benchCpu = process.cpuUsage(benchBefore);
    const after = readProcesses();
    if (code !== 0) {
      throw new Error(
        `puente-agent sync ferrawin --mode ${mode} exited ${code}:\n${
          (stdout + stderr).slice(-3000)
        }`,
      );
    }
    const usage = child.resourceUsage();
    // VmHWM is polled; the kernel's own maximum (getrusage) covers the last moments before exit.
    peak = Math.max(peak, (usage?.maxRSS ?? 0) / 2 ** 20);

    const backends = await this.sql<{ pid: number; application_name: string }[]>`
      select pid, application_name from pg_stat_activity where backend_type = 'client backend'`;
    const byApp = (name: string) =>
      backends.filter((b) => b.application_name === name).map((b) => b.pid);
    const standinSql = cpuBetween(before, after, byApp("ferrawin-standin"));
    const ingestSql = cpuBetween(before, after, byApp("puente-gateway"));
    const allPostgres = cpuBetween(before, after, processTree(after, postmaster));
    const cpuS: Record<string, number> = {
      agent: round(Number(usage?.cpuTime.total ?? 0n) / 1e6),
      edge: round(cpuBetween(before, after, processTree(after, this.stack.edge.pid))),
      "gateway + TDS stand-in (bench process)": round((benchCpu.user + benchCpu.system) / 1e6),
      "postgres: stand-in reads": round(standinSql),
      "postgres: ingest RPCs": round(ingestSql),
      "postgres: other": round(allPostgres - standinSql - ingestSql),
    };

    const [run] = await this.sql<
      {
        id: string;
        status: string;
        done: number;
        counts: SyncMeasure["counts"];
        run_s: number | null;
        batches: number;
      }[]
    >`
      select r.id, r.status, r.done, r.counts,
        extract(epoch from (r.finished_at - r.started_at))::float8 as run_s,
        (select count(*)::int from public.ingest_batches b where b.run_id = r.id) as batches
      from public.runs r
      where r.agent_id = ${this.stack.info.agent.id} and r.source = 'ferrawin'
      order by r.created_at desc limit 1`;
    if (!run || run.status !== "completed") {
      throw new Error(`the ${mode} run did not complete: ${JSON.stringify(run)}\n${stdout}`);
    }
    return {
      mode,
      wallS,
      runS: run.run_s ?? wallS,
      agentPeakRssMb: peak,
      runId: run.id,
      status: run.status,
      done: run.done,
      counts: run.counts,
      batches: run.batches,
      cpuS,
      loadBefore,
      loadAfter: loadavg()[0]!,
    };
  }

  /** The refused planillas a run sent: record key and reason. */
  async runRejects(runId: string): Promise<{ record_key: string; reason: string }[]> {
    return await this.sql<{ record_key: string; reason: string }[]>`
      select record_key, reason from public.run_rejects where run_id = ${runId} order by record_key`;
  }

  /**
   * What a run wrote to the planilla journal (issue #24): its rows, and their size as stored rows
   * (pg_column_size of the whole row: large jsonb values counted uncompressed, an upper bound).
   */
  async journalOf(runId: string): Promise<{ rows: number; bytes: number }> {
    const [row] = await this.sql<{ rows: number; bytes: number }[]>`
      select count(*)::int as rows, coalesce(sum(pg_column_size(j.*)), 0)::float8 as bytes
      from public.planilla_changes j where j.run_id = ${runId}`;
    return row!;
  }

  /** Rows the replica holds now. */
  async replicaRows(): Promise<CopyMeasure["rows"]> {
    const [row] = await this.sql<{ planillas: number; elementos: number; entidades: number }[]>`
      select (select count(*)::int from public.planillas) as planillas,
        (select count(*)::int from public.elementos) as elementos,
        (select count(*)::int from public.entidades) as entidades`;
    return row!;
  }

  /**
   * The physical limit: the replica's rows (read out first, untimed) COPYed into empty tables of the
   * same shape (`LIKE … INCLUDING ALL`: columns, defaults, checks, primary keys and indexes; no
   * foreign keys, which LIKE never copies), one table after another on one connection.
   */
  async copyLimit(): Promise<CopyMeasure> {
    const tables = ["planillas", "elementos", "entidades"] as const;
    const copy = postgres(this.stack.info.dbUrl, { max: 1, onnotice: () => {} });
    try {
      await copy.unsafe("drop schema if exists bench_copy cascade; create schema bench_copy");
      const data = new Map<string, Buffer>();
      for (const table of tables) {
        await copy.unsafe(
          `create table bench_copy.${table} (like public.${table} including all)`,
        );
        // Read out with COPY TO STDOUT on a connection of its own: postgres.js leaves a connection
        // hanging after its first COPY TO STDOUT stream, and a server-side file would need
        // pg_write_server_files, which `postgres` does not hold on hosted Supabase (nor here).
        const reader = postgres(this.stack.info.dbUrl, { max: 1, onnotice: () => {} });
        try {
          const chunks: Buffer[] = [];
          const readable = await reader.unsafe(`copy public.${table} to stdout`).readable();
          for await (const chunk of readable) chunks.push(chunk as Buffer);
          data.set(table, Buffer.concat(chunks));
        } finally {
          await reader.end({ timeout: 1 });
        }
      }
      const rows = await this.replicaRows();
      const started = performance.now();
      for (const table of tables) {
        const writable = await copy.unsafe(`copy bench_copy.${table} from stdin`).writable();
        await new Promise<void>((resolve, reject) => {
          writable.on("error", reject);
          writable.on("finish", resolve);
          writable.write(data.get(table)!);
          writable.end();
        });
      }
      const seconds = (performance.now() - started) / 1000;
      const [copied] = await copy<{ n: number }[]>`
        select (select count(*) from bench_copy.planillas) + (select count(*) from bench_copy.elementos)
          + (select count(*) from bench_copy.entidades) as n`;
      const totalRows = rows.planillas + rows.elementos + rows.entidades;
      if (Number(copied!.n) !== totalRows) {
        throw new Error(`COPY loaded ${copied!.n} rows, expected ${totalRows}`);
      }
      await copy.unsafe("drop schema bench_copy cascade");
      return { rows, totalRows, seconds, rowsPerS: totalRows / seconds };
    } finally {
      await copy.end();
    }
  }

  /**
   * Edits `count` stored planillas in the SQL Server stand-in the way a recalculation in FerraWin
   * would: every valid bar gets one more piece and a new ZFECHACALC, so the source fingerprint (bar
   * checksum and MAX(ZFECHACALC)) moves. Picks planillas spread evenly over the stored ones that have
   * elementos. Returns their codes.
   */
  async changePlanillas(count: number): Promise<string[]> {
    const stored = await this.sql<{ codigo: string }[]>`
      select codigo from public.planillas where elementos_count > 0 order by codigo`;
    if (stored.length < count) {
      throw new Error(
        `only ${stored.length} planillas with elementos are stored; cannot change ${count}`,
      );
    }
    const step = stored.length / count;
    const codes = Array.from({ length: count }, (_, i) => stored[Math.floor(i * step)]!.codigo);
    const updated = await this.ferrawin<{ code: string }[]>`
      update ferrawin.ord_bar b
      set zcantidad = b.zcantidad + 1,
        zfechacalc = date_trunc('second', localtimestamp)
      where b.zconta || '-' || right('000000' || btrim(b.zcodigo), 6) = any(${codes})
      returning b.zconta || '-' || right('000000' || btrim(b.zcodigo), 6) as code`;
    const touched = new Set(updated.map((r) => r.code));
    const missing = codes.filter((c) => !touched.has(c));
    if (missing.length) {
      throw new Error(`no bars found in the stand-in for ${missing.slice(0, 5).join(", ")}…`);
    }
    return codes;
  }

  /** Versions of everything on the measured path. */
  /**
   * The least an exact fingerprint can cost the stand-in, in seconds of wall time: one MD5 of every row
   * of the four tables the agent hashes (each row as its text), with no filter, grouping, collation or
   * result to send, and Postgres free to run it in parallel. SQL Server computes the same hashes on its
   * own machine; here they share the bench's cores with everything else.
   */
  async standinMd5FloorS(): Promise<number> {
    await this.ferrawin`set jit = off`;
    const started = performance.now();
    for (const table of ["ord_bar", "ord_det", "prod_deto", "prod_deti"]) {
      await this.ferrawin.unsafe(`select sum(length(md5(t::text))) from ferrawin.${table} t`);
    }
    return (performance.now() - started) / 1000;
  }

  async versions(): Promise<Record<string, string>> {
    const [pg] = await this.sql<{ v: string }[]>`select current_setting('server_version') as v`;
    const deno = Bun.spawnSync({
      cmd: [join(repoRoot, "node_modules", ".bin", "deno"), "--version"],
    });
    return {
      deno: /deno (\S+)/.exec(deno.stdout.toString())?.[1] ?? "unknown",
      postgresql: pg!.v,
      tedious: packageVersion("tedious"),
      "postgres.js": packageVersion("postgres"),
      hono: packageVersion("hono"),
      "@supabase/supabase-js": packageVersion("@supabase/supabase-js"),
      ky: packageVersion("ky"),
    };
  }

  async close(): Promise<void> {
    await this.sql.end().catch(() => {});
    await this.ferrawin.end().catch(() => {});
    await this.stack.stop();
    rmSync(this.agentHome, { recursive: true, force: true });
  }
}

/** Runs `body` against a fresh scenario and always stops the stack; exits non-zero on failure. */
export async function withScenario(
  body: (scenario: Scenario) => Promise<boolean>,
): Promise<never> {
  let isOk = false;
  let scenario: Scenario | null = null;
  try {
    scenario = await Scenario.open(scenarioOptions());
    isOk = await body(scenario);
  } catch (error) {
    console.error(error);
  } finally {
    await scenario?.close().catch((error) => console.error("stopping the devstack:", error));
  }
  process.exit(isOk ? 0 : 1);
}

/** One line per stage, largest first, with its share of the CPU the run used. */
export function describeCpu(cpuS: Record<string, number>): string {
  const total = Object.values(cpuS).reduce((a, b) => a + b, 0);
  return Object.entries(cpuS)
    .sort((a, b) => b[1] - a[1])
    .map(([stage, s]) => `${stage}: ${s.toFixed(1)} s (${Math.round((s / total) * 100)}%)`)
    .join("; ");
}
