// The contract between the TDS wire layer and whatever answers the SQL: the server decodes
// requests and encodes results, an injected SqlExecutor decides what the SQL means.

import type { CollationName } from "./values.ts";

/** Column types the server can encode. Everything the FerraWin tables use. */
export type SqlType =
  | "int"
  | "smallint"
  | "bigint"
  | "bit"
  | "float"
  | "decimal"
  | "varchar"
  | "char"
  | "nvarchar"
  | "text"
  | "ntext"
  | "date"
  | "datetime"
  | "datetime2";

/**
 * One result column.
 * - `precision`/`scale`: decimal (default 18, 0); `scale` is also datetime2's fractional digits (default 7).
 * - `length`: characters for varchar/nvarchar (default 4000 for nvarchar, 8000 for varchar) or "max".
 *   A value longer than the declared length fails the request, as it would never leave a real server.
 * - `nullable`: informational (default true); NULL values are accepted either way.
 */
export interface ColumnSpec {
  name: string;
  type: SqlType;
  precision?: number;
  scale?: number;
  length?: number | "max";
  nullable?: boolean;
  /** Character columns: a collation other than the database's (the server's `collation` option). */
  collation?: CollationName;
}

/**
 * One decoded RPC parameter (sp_executesql), name with its "@".
 * `type` is the declaration from @params, e.g. "nvarchar(4000)", "int", "decimal(18, 4)".
 * Values: strings for (n)varchar; numbers for int/smallint/tinyint/float/real/decimal; bigint as a
 * decimal string (exact); booleans for bit; Date for date/datetime/datetime2 (wall clock read as UTC,
 * tedious's default `useUTC: true`); null for NULL.
 */
export interface ParamValue {
  name: string;
  type: string;
  value: string | number | boolean | Date | null;
}

/**
 * What an executor returns. `columns: []` means the statement produced no result set (the client
 * sees only DONE). Each row holds one value per column, in column order:
 * - int/smallint/bigint: number | bigint | numeric string; bit: boolean | 0 | 1; float: number;
 * - decimal: number or a decimal string (strings are encoded exactly, e.g. Postgres numeric text);
 * - varchar/char/nvarchar/text/ntext: string (varchar/char/text are sent as CP1252, unmappable chars
 *   become "?"; char(n) is padded with spaces to n);
 * - date/datetime/datetime2: Date or an ISO string (without an offset it is read as UTC);
 * - null/undefined: NULL.
 * Rows may come from an async iterable: the server pulls one row at a time, so huge results
 * never sit in memory, and it calls the iterator's `return()` when the client cancels.
 */
export interface QueryResult {
  columns: ColumnSpec[];
  rows: AsyncIterable<unknown[]> | Iterable<unknown[]>;
}

/**
 * Answers one SQL text. `sql` is the batch text or sp_executesql's @statement; `params` is empty
 * for batches. `signal` aborts when the client cancels (ATTENTION) or disconnects.
 * Throw SqlServerError for errors the client should see with a SQL Server number; any other
 * exception reaches the client as error 50000 with the exception's message.
 * Batches made only of SET statements (tedious's connection setup) never reach the executor, and
 * tedious's beginTransaction/commitTransaction/rollbackTransaction are acknowledged by the server
 * without reaching it (the fixtures are read-only).
 */
export interface SqlExecutor {
  execute(sql: string, params: ParamValue[], signal: AbortSignal): Promise<QueryResult>;
}

/** An error with SQL Server's identity; becomes an ERROR token (tedious: RequestError EREQUEST, `.number`). */
export class SqlServerError extends Error {
  readonly number: number;
  readonly state: number;
  readonly class: number;

  constructor(message: string, options: { number: number; state?: number; class?: number }) {
    super(message);
    this.name = "SqlServerError";
    this.number = options.number;
    this.state = options.state ?? 1;
    this.class = options.class ?? 16;
  }
}
