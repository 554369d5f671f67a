// The FerraWin SqlExecutor: translates each T-SQL query (tsql.ts), runs it against the fixture tables
// in Postgres and streams the rows back through a server-side cursor, so two million bars never sit in
// memory; an abort (client ATTENTION or disconnect) closes the cursor. A query the planner expects to
// answer with few rows (the agent's fingerprints: one row per planilla, from every row of four tables)
// is read whole instead: Postgres runs a parallel plan only for a portal executed to its end, and SQL
// Server parallelises such a query on its own.
import postgres from "postgres";
import type { Sql } from "postgres";
import {
  type ColumnSpec,
  type ParamValue,
  type QueryResult,
  type SqlExecutor,
  SqlServerError,
} from "../sqlserver/executor.ts";
import { translateTsql, TsqlUnsupported } from "./tsql.ts";

export interface FerrawinExecutorOptions {
  /** Postgres URL of the database holding the FerraWin schema (see load.ts). */
  url: string;
  schema?: string;
  /**
   * Rows fetched per cursor round trip (default 2000); null reads each result whole, for a database
   * where an open portal holds the only session and so every other connection (PGlite).
   */
  cursorRows?: number | null;
  /** Pool size (default 4). */
  max?: number;
  /**
   * Results the planner estimates at up to this many rows are read whole, so Postgres may run them in
   * parallel (default 50,000); larger ones stream through the cursor.
   */
  wholeRows?: number;
}

/** The planner's row estimate for a statement (EXPLAIN's top node). */
async function estimatedRows(sql: Sql, text: string, values: (string | null)[]): Promise<number> {
  const [row] = await sql.unsafe(`EXPLAIN (FORMAT JSON) ${text}`, values as never[]);
  const plan = (row as Record<string, unknown>)["QUERY PLAN"];
  const parsed = (typeof plan === "string" ? JSON.parse(plan) : plan) as {
    Plan: { "Plan Rows": number };
  }[];
  return parsed[0]!.Plan["Plan Rows"];
}

/** A table column's SQL Server declaration ("varchar(20)", "char(4)"), from its comment (load.ts). */
interface DeclaredColumn {
  typmod: number;
  sqlType: string | null;
}

/**
 * Postgres column OIDs → TDS column types. Text is varchar/char under the server's collation
 * (Modern_Spanish_CI_AS in the devstack) and so travels as CP1252, as FerraWin's columns do: a table
 * column as declared, a computed one as varchar(8000).
 */
function columnSpec(name: string, oid: number, declared: DeclaredColumn): ColumnSpec {
  const typmod = declared.typmod;
  const text = declared.sqlType ? /^(varchar|char)\((\d+)\)$/.exec(declared.sqlType) : null;
  if (text && (oid === 1042 || oid === 1043 || oid === 25)) {
    return { name, type: text[1] as "varchar" | "char", length: Number(text[2]) };
  }
  switch (oid) {
    case 23:
      return { name, type: "int" };
    case 21:
      return { name, type: "smallint" };
    case 20:
      return { name, type: "bigint" };
    case 16:
      return { name, type: "bit" };
    case 700:
    case 701:
      return { name, type: "float" };
    case 1700:
      // numeric(p,s) keeps its precision; a computed numeric without one goes as float, which
      // is what SQL Server gives for most aggregates the agent reads.
      if (typmod >= 4) {
        const mod = typmod - 4;
        return { name, type: "decimal", precision: (mod >> 16) & 0xffff, scale: mod & 0xffff };
      }
      return { name, type: "float" };
    case 1043:
    case 1042:
    case 25:
      return { name, type: "varchar", length: typmod > 4 ? Math.min(typmod - 4, 8000) : 8000 };
    case 1114:
    case 1184:
      return { name, type: "datetime" };
    case 1082:
      return { name, type: "date" };
    default:
      throw new SqlServerError(
        `result column "${name}" has a type (oid ${oid}) the stand-in cannot send`,
        {
          number: 50001,
        },
      );
  }
}

function paramValue(p: ParamValue): string | null {
  if (p.value === null) return null;
  if (p.value instanceof Date) return p.value.toISOString().replace("T", " ").replace("Z", "");
  return String(p.value);
}

/** Postgres SQLSTATEs → SQL Server error numbers: missing table, missing column, truncation. */
const SQLSTATE_NUMBERS: Record<string, number> = { "42P01": 208, "42703": 207, "22001": 8152 };

/** Wraps a Postgres error as a SQL Server one, keeping the message a person can act on. */
function asSqlServerError(error: unknown): Error {
  if (error instanceof SqlServerError) return error;
  if (error instanceof postgres.PostgresError) {
    const number = error.code === "23514" && error.message.includes("HASHBYTES")
      ? 8152
      : SQLSTATE_NUMBERS[error.code] ?? 50000;
    return new SqlServerError(error.message, { number });
  }
  return error instanceof Error ? error : new Error(String(error));
}

export class FerrawinExecutor implements SqlExecutor {
  private readonly sql: Sql;
  private readonly cursorRows: number | null;
  private readonly wholeRows: number;
  private readonly declared = new Map<string, DeclaredColumn>();

  constructor(options: FerrawinExecutorOptions) {
    const schema = options.schema ?? "ferrawin";
    this.cursorRows = options.cursorRows === undefined ? 2000 : options.cursorRows;
    this.wholeRows = options.wholeRows ?? 50_000;
    this.sql = postgres(options.url, {
      max: options.max ?? 4,
      onnotice: () => {},
      connection: {
        search_path: `${schema},public`,
        application_name: "ferrawin-standin",
        // The bars query sorts the whole result by planilla code; keep that sort in memory.
        work_mem: "128MB",
        // JIT compiles the fingerprint query's per-row expressions for seconds of CPU (3.7 s of a 2-million
        // bar query on a quiet machine, 10 s under load) and gains nothing back: its rows are spent in
        // md5, text conversion and ICU comparisons, which JIT calls as it finds them.
        jit: "off",
      },
      types: {
        // Timestamps stay wall-clock values read as UTC (what tedious's useUTC expects), whatever TZ is.
        timestamp: {
          to: 1114,
          from: [1114],
          serialize: (x: unknown) => String(x),
          parse: (x: string) => new Date(`${x.replace(" ", "T")}Z`),
        },
      },
    });
  }

  async execute(sqlText: string, params: ParamValue[], signal: AbortSignal): Promise<QueryResult> {
    const translation = translateTsql(sqlText, params);
    const values = translation.paramIndexes.map((i) => paramValue(params[i]!));
    let described;
    try {
      described = await this.sql.unsafe(translation.text, values as never[]).describe();
    } catch (error) {
      throw asSqlServerError(error);
    }
    const columns = await this.columnSpecs(
      described.columns as unknown as {
        name: string;
        type: number;
        table: number;
        number: number;
      }[],
    );
    const isWhole = this.cursorRows === null || columns.length === 0 ||
      await estimatedRows(this.sql, translation.text, values).catch((error) => {
          throw asSqlServerError(error);
        }) <= this.wholeRows;
    return {
      columns,
      rows: isWhole
        ? this.whole(translation.text, values, signal)
        : this.stream(translation.text, values, signal),
    };
  }

  private async columnSpecs(
    cols: { name: string; type: number; table: number; number: number }[],
  ): Promise<ColumnSpec[]> {
    const missing = cols.filter((c) =>
      c.table !== 0 && !this.declared.has(`${c.table}:${c.number}`)
    );
    if (missing.length) {
      const rows = await this.sql`
        select attrelid, attnum, atttypmod, col_description(attrelid, attnum) as sql_type
        from pg_attribute
        where attrelid = any(${missing.map((c) => c.table)}::oid[])`;
      for (const r of rows) {
        this.declared.set(`${r.attrelid}:${r.attnum}`, {
          typmod: Number(r.atttypmod),
          sqlType: r.sql_type === null ? null : String(r.sql_type),
        });
      }
    }
    const computed: DeclaredColumn = { typmod: -1, sqlType: null };
    return cols.map((c) =>
      columnSpec(
        c.name,
        c.type,
        c.table ? this.declared.get(`${c.table}:${c.number}`) ?? computed : computed,
      )
    );
  }

  /**
   * The whole result in one execution. An abort answers at once (the client's ATTENTION is acknowledged
   * without waiting) while the statement runs to its end on its connection: a cancel request names the
   * backend, not the statement, so one sent as the statement finished could reach the next client's
   * statement on the same pooled connection. These are the small results (one row per planilla).
   */
  private async *whole(
    text: string,
    values: (string | null)[],
    signal: AbortSignal,
  ): AsyncGenerator<unknown[]> {
    if (signal.aborted) return;
    const query = this.sql.unsafe(text, values as never[]).values();
    // Observed below, or left to finish unobserved after an abort.
    query.catch(() => {});
    const aborted = new Promise<null>((resolve) =>
      signal.addEventListener("abort", () => resolve(null), { once: true })
    );
    let rows;
    try {
      rows = await Promise.race([query, aborted]);
    } catch (error) {
      if (signal.aborted) return;
      throw asSqlServerError(error);
    }
    if (rows === null) return;
    for (const row of rows) {
      if (signal.aborted) return;
      yield row as unknown[];
    }
  }

  private async *stream(
    text: string,
    values: (string | null)[],
    signal: AbortSignal,
  ): AsyncGenerator<unknown[]> {
    if (signal.aborted) return;
    const iterator = this.sql.unsafe(text, values as never[]).values().cursor(this.cursorRows!)
      [Symbol.asyncIterator]();
    // A client that disconnects may never pull again: close the portal as soon as the signal fires,
    // so the pooled connection is released instead of waiting on a cursor forever.
    const onAbort = () => void iterator.return?.();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      while (!signal.aborted) {
        const chunk = await iterator.next();
        if (chunk.done) return;
        for (const row of chunk.value) {
          if (signal.aborted) return;
          yield row as unknown[];
        }
      }
    } catch (error) {
      throw asSqlServerError(error);
    } finally {
      signal.removeEventListener("abort", onAbort);
      await iterator.return?.();
    }
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}

export { TsqlUnsupported };
