// End-to-end: tedious (the agent's real client) against the stand-in, with an in-memory executor.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Connection, type ConnectionError, Request, type RequestError, TYPES } from "tedious";
import type { ColumnSpec, ParamValue, QueryResult, SqlExecutor } from "./executor.ts";
import { SqlServerError } from "./executor.ts";
import { type SqlServerHandle, startSqlServer } from "./server.ts";

const USER = "puente";
const PASSWORD = "Señal#2026";
const DATABASE = "FERRAWIN";

const LONG_TEXT = "ñ".repeat(3000) + "x".repeat(2500); // 5500 characters: PLP both ways

const TYPED_COLUMNS: ColumnSpec[] = [
  { name: "i", type: "int" },
  { name: "si", type: "smallint" },
  { name: "bi", type: "bigint" },
  { name: "b", type: "bit" },
  { name: "f", type: "float" },
  { name: "d", type: "decimal", precision: 12, scale: 3 },
  { name: "vc", type: "varchar", length: 20 },
  { name: "nvc", type: "nvarchar", length: 20 },
  { name: "nmax", type: "nvarchar", length: "max" },
  { name: "t", type: "text" },
  { name: "nt", type: "ntext" },
  { name: "dd", type: "date" },
  { name: "dt", type: "datetime" },
  { name: "dt2", type: "datetime2", scale: 3 },
];

const TYPED_ROW = [
  -42,
  -7,
  "9007199254740993",
  true,
  3.25,
  "123456789.125",
  "Ñandú",
  "Añoranza ☃",
  LONG_TEXT,
  "café",
  "pingüino",
  new Date("2024-02-29T00:00:00Z"),
  "2024-03-01 13:45:30.5",
  new Date("2024-03-01T13:45:30.123Z"),
];

const MIXED_COLUMNS: ColumnSpec[] = [
  { name: "id", type: "int" },
  { name: "codigo", type: "nvarchar", length: 20 },
  { name: "obra", type: "nvarchar", length: 60 },
  { name: "diametro", type: "smallint" },
  { name: "longitud", type: "decimal", precision: 10, scale: 2 },
  { name: "peso", type: "float" },
  { name: "cantidad", type: "int" },
  { name: "activo", type: "bit" },
  { name: "fecha", type: "datetime" },
  { name: "descripcion", type: "varchar", length: 80 },
  { name: "orden", type: "bigint" },
  { name: "nota", type: "nvarchar", length: 100 },
];

function mixedRow(i: number): unknown[] {
  return [
    i,
    `P-${i}`,
    `Obra Nº ${i % 97}`,
    8 + (i % 5) * 2,
    (i % 1000) + 0.25,
    i * 0.617,
    i % 40,
    i % 3 === 0,
    new Date(1_700_000_000_000 + i * 60_000),
    "Barra corrugada ADN 420",
    String(1_000_000_000_000 + i),
    i % 10 === 0 ? null : "sin observaciones",
  ];
}

/** Remembers what it was asked and how the rows were consumed, so tests can check both. */
class RecordingExecutor implements SqlExecutor {
  calls: Array<{ sql: string; params: ParamValue[] }> = [];
  rowsProduced = 0;
  isClosedEarly = false;
  lastSignal: AbortSignal | null = null;

  execute(sql: string, params: ParamValue[], signal: AbortSignal): Promise<QueryResult> {
    this.calls.push({ sql, params });
    this.lastSignal = signal;
    this.rowsProduced = 0;
    this.isClosedEarly = false;
    const [verb, argument] = sql.split(" ");
    const count = Number(argument ?? 0);
    switch (verb) {
      case "TYPED":
        return Promise.resolve({
          columns: TYPED_COLUMNS,
          rows: [TYPED_ROW, TYPED_COLUMNS.map(() => null)],
        });
      case "ECHO":
        return Promise.resolve({
          columns: [{ name: "n", type: "int" }],
          rows: [[params.length]],
        });
      case "MIXED":
        return Promise.resolve({ columns: MIXED_COLUMNS, rows: this.generate(count, mixedRow) });
      case "MANY":
        return Promise.resolve({
          columns: [{ name: "id", type: "int" }, {
            name: "padding",
            type: "nvarchar",
            length: 200,
          }],
          rows: this.generate(count, (i) => [i, "·".repeat(150)]),
        });
      case "BROKEN":
        return Promise.resolve({ columns: MIXED_COLUMNS, rows: this.failAfter(count) });
      case "TOOLONG":
        return Promise.resolve({
          columns: [{ name: "c", type: "nvarchar", length: 3 }],
          rows: this.generate(3, (i) => ["abcd".slice(0, 2 + i)]),
        });
      case "HANG":
        return new Promise(() => {}); // never settles and ignores the signal
      case "NOTHING":
        return Promise.resolve({ columns: [], rows: [] });
      case "MISSING":
        return Promise.reject(
          new SqlServerError("Invalid object name 'dbo.NOPE'.", { number: 208, state: 1 }),
        );
      case "CRASH":
        return Promise.reject(new Error("the fixture exploded"));
      default:
        return Promise.reject(new Error(`unexpected SQL in test: ${sql}`));
    }
  }

  private async *failAfter(count: number): AsyncGenerator<unknown[]> {
    for (let i = 1; i <= count; i++) yield mixedRow(i);
    throw new SqlServerError("Transaction was deadlocked.", { number: 1205, state: 51, class: 13 });
  }

  private async *generate(count: number, row: (i: number) => unknown[]): AsyncGenerator<unknown[]> {
    try {
      for (let i = 1; i <= count; i++) {
        this.rowsProduced = i;
        yield row(i);
      }
    } finally {
      if (this.rowsProduced < count) this.isClosedEarly = true;
    }
  }
}

let server: SqlServerHandle;
const executor = new RecordingExecutor();
const openConnections = new Set<Connection>();

beforeAll(async () => {
  server = await startSqlServer({ user: USER, password: PASSWORD, database: DATABASE, executor });
});

afterAll(async () => {
  for (const connection of openConnections) connection.close();
  await server.stop();
});

function connect(password = PASSWORD): Promise<Connection> {
  const connection = new Connection({
    server: server.host,
    options: {
      port: server.port,
      encrypt: false,
      trustServerCertificate: true,
      database: DATABASE,
      rowCollectionOnDone: false,
      connectTimeout: 5000,
    },
    authentication: { type: "default", options: { userName: USER, password } },
  });
  openConnections.add(connection);
  connection.on("error", () => {}); // socket errors after a deliberate drop
  return new Promise((resolve, reject) => {
    connection.connect((error) => (error ? reject(error) : resolve(connection)));
  });
}

interface Outcome {
  rows: unknown[][];
  columns: string[];
  error?: RequestError;
}

interface PendingRequest {
  request: Request;
  completed: Promise<RequestError | undefined>;
}

function prepare(sql: string): PendingRequest {
  let complete: (error: RequestError | undefined) => void = () => {};
  const completed = new Promise<RequestError | undefined>((resolve) => (complete = resolve));
  const request = new Request(
    sql,
    (error) => complete((error as RequestError | null | undefined) ?? undefined),
  );
  return { request, completed };
}

async function run(
  connection: Connection,
  pending: PendingRequest,
  onRow?: (row: unknown[], count: number) => void,
): Promise<Outcome> {
  const rows: unknown[][] = [];
  let columns: string[] = [];
  pending.request.on("columnMetadata", (meta) => {
    columns = (meta as Array<{ colName: string }>).map((c) => c.colName);
  });
  pending.request.on("row", (cells: Array<{ value: unknown }>) => {
    const row = cells.map((c) => c.value);
    rows.push(row);
    onRow?.(row, rows.length);
  });
  connection.execSql(pending.request);
  const error = await pending.completed;
  return { rows, columns, error };
}

function batch(connection: Connection, sql: string): Promise<Outcome> {
  const rows: unknown[][] = [];
  return new Promise((resolve) => {
    const req = new Request(
      sql,
      (error) =>
        resolve({
          rows,
          columns: [],
          error: (error as RequestError | null | undefined) ?? undefined,
        }),
    );
    req.on("row", (cells: Array<{ value: unknown }>) => rows.push(cells.map((c) => c.value)));
    connection.execSqlBatch(req);
  });
}

const EXPECTED_TYPED_VALUES = [
  -42,
  -7,
  "9007199254740993",
  true,
  3.25,
  123456789.125,
  "Ñandú",
  "Añoranza ☃",
  LONG_TEXT,
  "café",
  "pingüino",
  new Date("2024-02-29T00:00:00Z"),
  new Date("2024-03-01T13:45:30.500Z"),
  new Date("2024-03-01T13:45:30.123Z"),
];

describe("login", () => {
  test("the right credentials log in and the session batch is answered", async () => {
    const connection = await connect();
    expect(executor.calls.some((c) => /^set /i.test(c.sql))).toBe(false);
    connection.close();
  });

  test("a wrong password is ELOGIN with SQL Server's message", async () => {
    const error = await connect("wrong").catch((e: ConnectionError) => e);
    expect((error as ConnectionError).code).toBe("ELOGIN");
    expect((error as ConnectionError).message).toBe(`Login failed for user '${USER}'.`);
  });

  test("refuseLogins fails even correct logins until turned off", async () => {
    server.refuseLogins(true);
    try {
      const error = await connect().catch((e: ConnectionError) => e);
      expect((error as ConnectionError).code).toBe("ELOGIN");
    } finally {
      server.refuseLogins(false);
    }
    (await connect()).close();
  });
});

describe("queries", () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await connect();
  });
  afterAll(() => connection.close());

  test("a batch returns every column type as tedious's JS values, NULLs included", async () => {
    const outcome = await batch(connection, "TYPED");
    expect(outcome.error).toBeUndefined();
    expect(outcome.rows).toEqual([EXPECTED_TYPED_VALUES, TYPED_COLUMNS.map(() => null)]);
  });

  test("execSql (RPC) returns the same values and column names", async () => {
    const outcome = await run(connection, prepare("TYPED"));
    expect(outcome.error).toBeUndefined();
    expect(outcome.columns).toEqual(TYPED_COLUMNS.map((c) => c.name));
    expect(outcome.rows).toEqual([EXPECTED_TYPED_VALUES, TYPED_COLUMNS.map(() => null)]);
  });

  test("execSql passes decoded parameters of many types to the executor", async () => {
    const req = prepare("ECHO params");
    req.request.addParameter("nombre", TYPES.NVarChar, "Ñandú");
    req.request.addParameter("codigo", TYPES.VarChar, "Ñandú");
    req.request.addParameter("largo", TYPES.NVarChar, LONG_TEXT);
    req.request.addParameter("n", TYPES.Int, 42);
    req.request.addParameter("chico", TYPES.SmallInt, -3);
    req.request.addParameter("grande", TYPES.BigInt, "9007199254740993");
    req.request.addParameter("activo", TYPES.Bit, true);
    req.request.addParameter("peso", TYPES.Float, 2.5);
    req.request.addParameter("precio", TYPES.Decimal, 1234.56, { precision: 10, scale: 2 });
    req.request.addParameter("desde", TYPES.DateTime, new Date("2024-05-01T10:20:30.000Z"));
    req.request.addParameter("hasta", TYPES.DateTime2, new Date("2024-05-02T11:22:33.456Z"), {
      scale: 3,
    });
    req.request.addParameter("dia", TYPES.Date, new Date("2024-05-03T00:00:00Z"));
    req.request.addParameter("nada", TYPES.NVarChar, null);
    req.request.addParameter("ninguno", TYPES.Int, null);
    const outcome = await run(connection, req);
    expect(outcome.error).toBeUndefined();
    expect(outcome.rows).toEqual([[14]]);
    const call = executor.calls.at(-1)!;
    expect(call.sql).toBe("ECHO params");
    expect(call.params).toEqual([
      // tedious declares (n)varchar parameters with the value's length.
      { name: "@nombre", type: "nvarchar(5)", value: "Ñandú" },
      { name: "@codigo", type: "varchar(5)", value: "Ñandú" },
      { name: "@largo", type: "nvarchar(max)", value: LONG_TEXT },
      { name: "@n", type: "int", value: 42 },
      { name: "@chico", type: "smallint", value: -3 },
      { name: "@grande", type: "bigint", value: "9007199254740993" },
      { name: "@activo", type: "bit", value: true },
      { name: "@peso", type: "float", value: 2.5 },
      { name: "@precio", type: "decimal(10, 2)", value: 1234.56 },
      { name: "@desde", type: "datetime", value: new Date("2024-05-01T10:20:30.000Z") },
      { name: "@hasta", type: "datetime2(3)", value: new Date("2024-05-02T11:22:33.456Z") },
      { name: "@dia", type: "date", value: new Date("2024-05-03T00:00:00Z") },
      { name: "@nada", type: "nvarchar(1)", value: null },
      { name: "@ninguno", type: "int", value: null },
    ]);
  });

  test("a statement without a result set completes with no rows", async () => {
    const outcome = await run(connection, prepare("NOTHING"));
    expect(outcome).toEqual({ rows: [], columns: [], error: undefined });
  });

  test("an executor SqlServerError is EREQUEST with its number; the connection stays usable", async () => {
    const outcome = await run(connection, prepare("MISSING"));
    expect(outcome.error?.code).toBe("EREQUEST");
    expect(outcome.error?.number).toBe(208);
    expect(outcome.error?.message).toBe("Invalid object name 'dbo.NOPE'.");
    const batchOutcome = await batch(connection, "MISSING");
    expect(batchOutcome.error?.number).toBe(208);
    expect((await run(connection, prepare("MIXED 3"))).rows.length).toBe(3);
  });

  test("an error after some rows reaches the client as EREQUEST, and the connection goes on", async () => {
    const outcome = await run(connection, prepare("BROKEN 3"));
    expect(outcome.rows.length).toBe(3);
    expect(outcome.error?.code).toBe("EREQUEST");
    expect(outcome.error?.number).toBe(1205);
    const tooLong = await run(connection, prepare("TOOLONG"));
    expect(executor.isClosedEarly).toBe(true);
    expect(tooLong.rows).toEqual([["abc"]]);
    expect(tooLong.error?.message).toBe(
      'column "c" (nvarchar): a value of 4 characters exceeds the declared length 3',
    );
    expect((await run(connection, prepare("MIXED 2"))).rows.length).toBe(2);
  });

  test("an unexpected executor exception is error 50000 with its message", async () => {
    const outcome = await run(connection, prepare("CRASH"));
    expect(outcome.error?.code).toBe("EREQUEST");
    expect(outcome.error?.number).toBe(50000);
    expect(outcome.error?.message).toBe("the fixture exploded");
  });

  test("100,000 rows stream through pause/resume without the server running ahead", async () => {
    const req = prepare("MANY 100000");
    let producedWhilePaused = -1;
    const outcome = await run(connection, req, (_row, count) => {
      if (count === 1000) {
        req.request.pause();
        setTimeout(() => {
          producedWhilePaused = executor.rowsProduced;
          req.request.resume();
        }, 400);
      }
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.rows.length).toBe(100_000);
    expect(outcome.rows.at(-1)![0]).toBe(100_000);
    // ~32 MB of rows: without backpressure the generator would have finished during the pause.
    expect(producedWhilePaused).toBeGreaterThan(1000);
    expect(producedWhilePaused).toBeLessThan(100_000);
  }, 30_000);

  test("cancel mid-stream is ECANCEL, closes the executor's rows, and the connection keeps working", async () => {
    const req = prepare("MANY 2000000");
    const outcome = await run(connection, req, (_row, count) => {
      if (count === 5000) connection.cancel();
    });
    expect(outcome.error?.code).toBe("ECANCEL");
    expect(executor.lastSignal?.aborted).toBe(true);
    expect(executor.isClosedEarly).toBe(true);
    expect(executor.rowsProduced).toBeLessThan(2_000_000);
    const next = await run(connection, prepare("MIXED 5"));
    expect(next.error).toBeUndefined();
    expect(next.rows.map((r) => r[0])).toEqual([1, 2, 3, 4, 5]);
  });

  test("cancel works even while an executor that ignores the signal never answers", async () => {
    const pending = prepare("HANG");
    setTimeout(() => connection.cancel(), 50);
    const outcome = await run(connection, pending);
    expect(outcome.error?.code).toBe("ECANCEL");
    expect((await run(connection, prepare("MIXED 1"))).rows.length).toBe(1);
  });

  test("transactions begin, commit and roll back around queries", async () => {
    const inTransaction = (action: (done: (error?: Error | null) => void) => void) =>
      new Promise<void>((resolve, reject) =>
        action((error) => (error ? reject(error) : resolve()))
      );
    await inTransaction((done) => connection.beginTransaction(done));
    expect((await run(connection, prepare("MIXED 2"))).rows.length).toBe(2);
    await inTransaction((done) => connection.commitTransaction(done));
    await inTransaction((done) => connection.beginTransaction(done));
    await inTransaction((done) => connection.rollbackTransaction(done));
    expect((await run(connection, prepare("MIXED 1"))).rows.length).toBe(1);
  });

  test("slow rows trickle to the client one by one", async () => {
    server.setRowDelay(60);
    const arrivals: number[] = [];
    try {
      const started = performance.now();
      const outcome = await run(
        connection,
        prepare("MIXED 5"),
        () => arrivals.push(performance.now() - started),
      );
      expect(outcome.rows.length).toBe(5);
    } finally {
      server.setRowDelay(0);
    }
    expect(arrivals[4]! - arrivals[0]!).toBeGreaterThanOrEqual(200);
  });

  test("200,000 rows of 12 mixed columns: throughput", async () => {
    const started = performance.now();
    const outcome = await run(connection, prepare("MIXED 200000"));
    const seconds = (performance.now() - started) / 1000;
    expect(outcome.error).toBeUndefined();
    expect(outcome.rows.length).toBe(200_000);
    expect(outcome.rows[9]).toEqual([
      10,
      "P-10",
      "Obra Nº 10",
      8,
      10.25,
      10 * 0.617,
      10,
      false,
      new Date(1_700_000_000_000 + 10 * 60_000),
      "Barra corrugada ADN 420",
      "1000000000010",
      null,
    ]);
    console.log(
      `[sqlserver] streamed 200000 rows × 12 columns through tedious in ${seconds.toFixed(2)} s = ${
        Math.round(200_000 / seconds)
      } rows/s`,
    );
  }, 60_000);
});

/** How tedious reports a connection cut mid-response (which one depends on FIN vs RST timing). */
const CONNECTION_LOST: Array<string | undefined> = ["ESOCKET", "ECONNRESET"];

describe("faults", () => {
  test("dropAfterRows cuts the connection after that many rows", async () => {
    const connection = await connect();
    server.dropAfterRows(250, { once: true });
    const ended = new Promise<void>((resolve) => connection.once("end", () => resolve()));
    const outcome = await run(connection, prepare("MIXED 10000"));
    expect(outcome.error).toBeDefined();
    expect(CONNECTION_LOST).toContain(outcome.error?.code);
    expect(outcome.rows.length).toBeLessThanOrEqual(250);
    await ended;
    // once: the next connection streams normally.
    const again = await connect();
    expect((await run(again, prepare("MIXED 300"))).rows.length).toBe(300);
    again.close();
    expect(server.stats().droppedConnections).toBeGreaterThanOrEqual(1);
  });

  test("a persistent dropAfterRows applies to every result until cleared", async () => {
    server.dropAfterRows(10);
    try {
      for (let i = 0; i < 2; i++) {
        const connection = await connect();
        expect(CONNECTION_LOST).toContain(
          (await run(connection, prepare("MIXED 100"))).error?.code,
        );
      }
    } finally {
      server.dropAfterRows(null);
    }
    const connection = await connect();
    expect((await run(connection, prepare("MIXED 100"))).rows.length).toBe(100);
    connection.close();
  });
});
