// Creates FerraWin's tables in a Postgres schema and fills them with COPY, from a fixture JSON file or
// straight from the generator. Also installs the helper the T-SQL translator relies on: a `+`
// operator for text (T-SQL's string concatenation; see tsql.ts).
import type { Writable } from "node:stream";
import type { Sql } from "postgres";
import {
  FERRAWIN_COLLATION,
  FERRAWIN_LIKE_COLLATION,
  FERRAWIN_TABLES,
  type FerrawinFixture,
  type FerrawinRow,
  type FerrawinTable,
  TABLE_ORDER,
} from "./tables.ts";
import type { FerrawinGenerator } from "./generator.ts";
import { tsqlFunctionsSql } from "./tsql-functions.ts";

export class FixtureInvalid extends Error {
  override name = "FixtureInvalid";
}

export interface LoadOptions {
  /** Postgres schema holding the tables (default `ferrawin`); it is dropped and recreated. */
  schema?: string;
}

export type LoadCounts = Record<FerrawinTable, number>;

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/i.test(name)) throw new FixtureInvalid(`invalid identifier "${name}"`);
  return name.toLowerCase();
};

/** Drops and recreates the schema with empty FerraWin tables and the translator's `+` operator. */
export async function createFerrawinSchema(sql: Sql, schema = "ferrawin"): Promise<void> {
  const s = ident(schema);
  await sql.unsafe(`drop schema if exists ${s} cascade; create schema ${s};`);
  // Modern_Spanish_CI_AS: ICU Spanish (ñ its own letter after n) at secondary strength, so case does not
  // count and accents do; nondeterministic, so `=`, GROUP BY, DISTINCT and joins follow it too. The
  // strength is given in ICU's own locale syntax (`@colStrength=secondary`) rather than the BCP 47 tag
  // `es-u-ks-level2`: both work on PostgreSQL 15, but PGlite's ICU ignores the tag's keyword (it compared
  // 'a' = 'A' as false). PGlite's ICU also has no Spanish data, so there ñ sorts as n with a tilde
  // (devstack/README.md; collation.test.ts checks both engines).
  await sql.unsafe(
    `create collation ${s}.${FERRAWIN_COLLATION} ` +
      `(provider = icu, locale = 'es@colStrength=secondary', deterministic = false)`,
  );
  await sql.unsafe(
    `create collation ${s}.${FERRAWIN_LIKE_COLLATION} (provider = icu, locale = 'es', deterministic = true)`,
  );
  for (const table of TABLE_ORDER) {
    const cols = FERRAWIN_TABLES[table].map((c) =>
      `${ident(c.name)} ${c.pgType.replace(/collate (\w+)$/, `collate ${s}.$1`)}`
    ).join(", ");
    await sql.unsafe(`create table ${s}.${ident(table)} (${cols})`);
    // The SQL Server declaration of each text column, read back by the executor for COLMETADATA.
    for (const column of FERRAWIN_TABLES[table]) {
      if (!column.sqlType) continue;
      await sql.unsafe(
        `comment on column ${s}.${ident(table)}.${ident(column.name)} is '${column.sqlType}'`,
      );
    }
  }
  // T-SQL's `'000000' + ZCODIGO`: Postgres has no text + text, so the schema provides it (NULL-strict,
  // like SQL Server with CONCAT_NULL_YIELDS_NULL on).
  await sql.unsafe(
    `create operator ${s}.+ (leftarg = text, rightarg = text, function = pg_catalog.textcat)`,
  );
  // The checksum and hash functions SQL Server has. PGlite says so in version() and lacks the WIN1252
  // conversion (tsql-functions.ts).
  const [server] = await sql<{ version: string }[]>`select version() as version`;
  await sql.unsafe(tsqlFunctionsSql(s, !/\bPGlite\b/.test(server!.version)));
}

/** Indexes the agent's queries use; built after the load so COPY stays fast. */
export async function indexFerrawinSchema(sql: Sql, schema = "ferrawin"): Promise<void> {
  const s = ident(schema);
  await sql.unsafe(`
    create index on ${s}.ord_head (zconta, zcodigo);
    create index on ${s}.ord_bar (zconta, zcodigo, zcodlin, zelemento);
    create index on ${s}.ord_det (zconta, zcodigo, zorden, zcodlin);
    create index on ${s}.prod_deto (zconta, zcodpla, zcodlin, zelemento);
    create index on ${s}.prod_deti (zconta, zcodpla, zcodlin);
    create index on ${s}.project (zcodigo);
    analyze;`);
}

function copyField(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  return String(value).replace(
    /[\\\t\n\r]/g,
    (c) => c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r",
  );
}

/** A column whose name differs from FerraWin's spelling only in case (e.g. a dump's `zcodigo`). */
function valueOf(row: FerrawinRow, name: string): unknown {
  const key = Object.keys(row).find((k) => k.toUpperCase() === name);
  return key === undefined ? null : row[key];
}

/** One table's COPY FROM STDIN, fed row by row with backpressure. */
class CopyWriter {
  count = 0;
  private chunk = "";
  private readonly names: string[];

  private constructor(
    private readonly table: FerrawinTable,
    private readonly stream: Writable,
    private readonly finished: Promise<void>,
  ) {
    this.names = FERRAWIN_TABLES[table].map((c) => c.name);
  }

  static async open(sql: Sql, schema: string, table: FerrawinTable): Promise<CopyWriter> {
    const names = FERRAWIN_TABLES[table].map((c) => ident(c.name));
    const stream = await sql.unsafe(
      `copy ${ident(schema)}.${ident(table)} (${names.join(", ")}) from stdin`,
    ).writable();
    const finished = new Promise<void>((resolve, reject) => {
      stream.on("finish", resolve);
      stream.on("error", reject);
    });
    return new CopyWriter(table, stream, finished);
  }

  /**
   * One row. A dump of a real FerraWin database carries many more columns than Puente reads: those are
   * ignored. Names match case-insensitively, as SQL Server's do under FerraWin's CI collation; a column
   * the row lacks is NULL.
   */
  async write(row: FerrawinRow): Promise<void> {
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      throw new FixtureInvalid(`${this.table} row ${this.count + 1} is not an object`);
    }
    this.chunk += this.names.map((n) => copyField(n in row ? row[n] : valueOf(row, n))).join("\t") +
      "\n";
    this.count++;
    if (this.chunk.length > 128_000) await this.flush();
  }

  private async flush(): Promise<void> {
    const chunk = this.chunk;
    this.chunk = "";
    if (!this.stream.write(chunk)) await new Promise((r) => this.stream.once("drain", r));
  }

  /** Fails the COPY (CopyFail) so the connection goes back to the pool instead of waiting forever. */
  async abort(error: Error): Promise<void> {
    this.stream.destroy(error);
    await this.finished.catch(() => {});
  }

  async end(): Promise<number> {
    if (this.chunk) await this.flush();
    this.stream.end();
    await this.finished;
    return this.count;
  }
}

/** COPYs `rows` into one table; returns the number of rows written. */
export async function copyRows(
  sql: Sql,
  schema: string,
  table: FerrawinTable,
  rows: Iterable<FerrawinRow>,
): Promise<number> {
  const writer = await CopyWriter.open(sql, schema, table);
  try {
    for (const row of rows) await writer.write(row);
  } catch (error) {
    await writer.abort(error as Error);
    throw error;
  }
  return await writer.end();
}

/** Loads an in-memory fixture (or a fixture JSON file's path) into a fresh schema. */
export async function loadFixture(
  sql: Sql,
  fixture: FerrawinFixture | string,
  options: LoadOptions = {},
): Promise<LoadCounts> {
  const data: unknown = typeof fixture === "string" ? await Bun.file(fixture).json() : fixture;
  if (typeof data !== "object" || data === null) {
    throw new FixtureInvalid("fixture is not an object");
  }
  const schema = options.schema ?? "ferrawin";
  await createFerrawinSchema(sql, schema);
  const counts = {} as LoadCounts;
  for (const table of TABLE_ORDER) {
    const rows = (data as Record<string, unknown>)[table] ?? [];
    if (!Array.isArray(rows)) throw new FixtureInvalid(`fixture.${table} must be an array of rows`);
    counts[table] = await copyRows(sql, schema, table, rows as FerrawinRow[]);
  }
  await indexFerrawinSchema(sql, schema);
  return counts;
}

/**
 * Loads a generated dataset without an intermediate file: one generator pass feeding five COPYs at once,
 * so `sql` needs a pool of at least 5 connections (the driver's default is 10).
 */
export async function loadGenerated(
  sql: Sql,
  generator: FerrawinGenerator,
  options: LoadOptions = {},
): Promise<LoadCounts> {
  const schema = options.schema ?? "ferrawin";
  await createFerrawinSchema(sql, schema);
  const counts = {} as LoadCounts;
  counts.PROJECT = await copyRows(sql, schema, "PROJECT", generator.projects());
  const writers = {
    ORD_HEAD: await CopyWriter.open(sql, schema, "ORD_HEAD"),
    ORD_BAR: await CopyWriter.open(sql, schema, "ORD_BAR"),
    ORD_DET: await CopyWriter.open(sql, schema, "ORD_DET"),
    PROD_DETO: await CopyWriter.open(sql, schema, "PROD_DETO"),
    PROD_DETI: await CopyWriter.open(sql, schema, "PROD_DETI"),
  };
  try {
    for (let i = 0; i < generator.planillas; i++) {
      const p = generator.planilla(i);
      await writers.ORD_HEAD.write(p.head);
      for (const row of p.bars) await writers.ORD_BAR.write(row);
      for (const row of p.dets) await writers.ORD_DET.write(row);
      for (const row of p.detos) await writers.PROD_DETO.write(row);
      for (const row of p.detis) await writers.PROD_DETI.write(row);
    }
  } catch (error) {
    await Promise.all(Object.values(writers).map((w) => w.abort(error as Error)));
    throw error;
  }
  for (const [table, writer] of Object.entries(writers)) {
    counts[table as FerrawinTable] = await writer.end();
  }
  await indexFerrawinSchema(sql, schema);
  return counts;
}
