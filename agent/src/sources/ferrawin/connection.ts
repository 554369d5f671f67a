// One tedious connection to FerraWin's SQL Server, and queries as async iterables of rows (objects
// keyed by lowercased column name) with backpressure: the socket is paused while the consumer lags, so a
// 2-million-row result never piles up in memory. Cancelling via AbortSignal sends a TDS ATTENTION.
import { Connection, Request, TYPES } from "tedious";
import type { FerrawinSourceOptions } from "../source.ts";
import { FerrawinConnectionLost, SourceQueryFailed, SourceUnavailable } from "./errors.ts";

export type QueryParams = Record<string, string | number | null>;

/** Rows buffered before the socket is paused. */
const HIGH_WATER = 2000;

function endpoint(options: FerrawinSourceOptions) {
  return `${options.host}:${options.port}`;
}

function connectError(
  options: FerrawinSourceOptions,
  error: Error & { code?: string },
): SourceUnavailable {
  const where = `SQL Server at ${endpoint(options)} (database ${options.database})`;
  if (error.code === "ELOGIN") {
    return new SourceUnavailable(
      "ferrawin",
      `login to ${where} failed for user '${options.username}': ${error.message} ` +
        "Check FERRAWIN_USERNAME and FERRAWIN_PASSWORD, and that the login may open FERRAWIN_DATABASE",
      { cause: error },
    );
  }
  return new SourceUnavailable(
    "ferrawin",
    `cannot connect to ${where}: ${error.message} Check FERRAWIN_HOST and FERRAWIN_PORT, that SQL Server ` +
      "accepts TCP/IP connections on that port, the firewall, and FERRAWIN_ENCRYPT (false for servers " +
      "without TLS)",
    { cause: error },
  );
}

/**
 * After a cancel, tedious finishes the ATTENTION handshake a moment after the request's callback; a new
 * request sent in between is refused (EINVALIDSTATE). Wait until the connection is idle again.
 */
async function settled(connection: Connection): Promise<void> {
  const state = () => (connection as unknown as { state?: { name?: string } }).state?.name;
  const deadline = Date.now() + 5000;
  while (state() !== undefined && state() !== "LoggedIn" && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export class FerrawinConnection {
  private connection: Connection | null = null;
  private lostError: Error | null = null;

  constructor(private readonly options: FerrawinSourceOptions) {}

  get endpoint(): string {
    return endpoint(this.options);
  }

  private async connect(): Promise<Connection> {
    if (this.connection && !this.lostError) return this.connection;
    this.lostError = null;
    const connection = new Connection({
      server: this.options.host,
      authentication: {
        type: "default",
        options: { userName: this.options.username, password: this.options.password },
      },
      options: {
        port: this.options.port,
        database: this.options.database,
        encrypt: this.options.encrypt,
        trustServerCertificate: this.options.trustServerCertificate,
        rowCollectionOnRequestCompletion: false,
        useColumnNames: false,
        connectTimeout: 15_000,
        requestTimeout: 0,
        cancelTimeout: 5_000,
      },
    });
    connection.on("error", (error) => {
      this.lostError = error;
    });
    connection.on("end", () => {
      this.lostError ??= new Error("connection closed");
    });
    await new Promise<void>((resolve, reject) => {
      connection.connect((error) => {
        if (error) {
          connection.close();
          reject(connectError(this.options, error as Error & { code?: string }));
        } else resolve();
      });
    });
    this.connection = connection;
    return connection;
  }

  /**
   * Runs one parameterised query and yields its rows. `name` labels errors ("headers", "bars").
   * `lastCode` tells a mid-stream drop where the caller stands.
   */
  async *query(
    name: string,
    sql: string,
    params: QueryParams,
    signal: AbortSignal,
    lastCode: () => string | null = () => null,
  ): AsyncGenerator<Record<string, unknown>> {
    signal.throwIfAborted();
    const connection = await this.connect();
    await settled(connection);
    const queue: Record<string, unknown>[] = [];
    let names: string[] = [];
    let isDone = false;
    let isPaused = false;
    let failure: (Error & { code?: string; number?: number }) | null = null;
    let wake: (() => void) | null = null;
    const notify = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    const request = new Request(sql, (error) => {
      isDone = true;
      failure = (error as typeof failure) ?? null;
      notify();
    });
    for (const [key, value] of Object.entries(params)) {
      if (typeof value === "number" && Number.isInteger(value)) {
        request.addParameter(key, TYPES.Int, value);
      } else request.addParameter(key, TYPES.NVarChar, value === null ? null : String(value));
    }
    request.on("columnMetadata", (columns) => {
      const list = Array.isArray(columns) ? columns : Object.values(columns);
      names = list.map((c) => c.colName.toLowerCase());
    });
    request.on("row", (columns) => {
      const row: Record<string, unknown> = {};
      const list = Array.isArray(columns) ? columns : Object.values(columns);
      list.forEach((c, i) => {
        row[names[i]!] = c.value;
      });
      queue.push(row);
      if (queue.length >= HIGH_WATER && !isPaused) {
        isPaused = true;
        request.pause();
      }
      notify();
    });
    const onAbort = () => connection.cancel();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      connection.execSql(request);
    } catch (error) {
      signal.removeEventListener("abort", onAbort);
      this.lostError = error as Error;
      throw new FerrawinConnectionLost(this.endpoint, lastCode(), { cause: error });
    }
    try {
      while (true) {
        if (queue.length > 0) {
          const rows = queue.splice(0);
          if (isPaused) {
            isPaused = false;
            request.resume();
          }
          for (const row of rows) {
            signal.throwIfAborted();
            yield row;
          }
          continue;
        }
        if (isDone) break;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      const error = failure as (Error & { code?: string; number?: number }) | null;
      if (signal.aborted) throw signal.reason ?? new DOMException("aborted", "AbortError");
      if (error) {
        if (error.code === "EREQUEST") {
          throw new SourceQueryFailed(name, error.number ?? null, error.message, { cause: error });
        }
        this.lostError ??= error;
        throw new FerrawinConnectionLost(this.endpoint, lastCode(), { cause: error });
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      if (!isDone) {
        // The consumer stopped early: cancel the request so the connection stays usable.
        if (isPaused) request.resume();
        connection.cancel();
        const deadline = Date.now() + 6000;
        while (!isDone && Date.now() < deadline) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, 100);
          });
        }
        if (!isDone) this.lostError ??= new Error("cancel did not complete");
      }
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = null;
    if (!connection) return;
    await new Promise<void>((resolve) => {
      connection.once("end", () => resolve());
      connection.close();
      setTimeout(resolve, 2000);
    });
  }
}
