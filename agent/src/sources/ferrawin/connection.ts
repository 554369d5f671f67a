// One tedious connection to FerraWin's SQL Server, and queries as async iterables of rows (objects
// keyed by lowercased column name) with backpressure: the socket is paused while the consumer lags, so a
// 2-million-row result never piles up in memory. Cancelling via AbortSignal sends a TDS ATTENTION.
import { constants } from "node:crypto";
import { readFileSync } from "node:fs";
import { Connection, type ConnectionConfiguration, Request, TYPES } from "tedious";
import type { FerrawinSourceOptions } from "../source.ts";
import { FerrawinConnectionLost, SourceQueryFailed, SourceUnavailable } from "./errors.ts";

export type QueryParams = Record<string, string | number | null>;

/** Rows buffered before the socket is paused. */
const HIGH_WATER = 2000;

/** `HOST\\INSTANCE`, `HOST:PORT` or `HOST\\INSTANCE:PORT`, as people name a SQL Server. */
function endpoint(options: FerrawinSourceOptions) {
  const instance = options.instanceName ? `\\${options.instanceName}` : "";
  return `${options.host}${instance}${options.port ? `:${options.port}` : ""}`;
}

/** TLS failures that mean the server speaks only an older protocol version than the client accepts. */
const OLD_TLS = /UNSUPPORTED_PROTOCOL|PROTOCOL_VERSION|WRONG_VERSION|NO_SUPPORTED_VERSIONS/i;
const CERTIFICATE = /certificate|CERT_|self.signed|unable to verify/i;

/** What to check next, by how the connection failed: the message a person acts on. */
export function connectHint(options: FerrawinSourceOptions, error: Error & { code?: string }) {
  const message = error.message;
  // No Browser at all: UDP gets no answer and tedious gives up when the connect timeout ends.
  const isBrowserSilent = error.code === "ETIMEOUT" && !!options.instanceName && !options.port;
  if (error.code === "EINSTLOOKUP" || isBrowserSilent) {
    return `SQL Browser on ${options.host} did not give the port of instance ` +
      `${options.instanceName}: check that the "SQL Server Browser" service is running and UDP 1434 ` +
      "is open in the firewall, that the instance name is right, and that the TCP/IP protocol is " +
      "enabled for the instance (SQL Server Configuration Manager); or set FERRAWIN_PORT to its TCP port";
  }
  if (error.code === "ELOGIN") {
    if (options.authentication === "ntlm") {
      return `Check FERRAWIN_DOMAIN (${options.domain ?? "not set"}), FERRAWIN_USERNAME and ` +
        "FERRAWIN_PASSWORD, and that the Windows account has a login in SQL Server that may open " +
        "FERRAWIN_DATABASE (error 18452: the server cannot check accounts of that domain)";
    }
    return "Check FERRAWIN_USERNAME and FERRAWIN_PASSWORD, and that the login may open " +
      "FERRAWIN_DATABASE. Error 18456 with the right password usually means SQL Server accepts only " +
      'Windows authentication (its default): enable "SQL Server and Windows Authentication mode" ' +
      "and restart the service, or use FERRAWIN_AUTH=ntlm with FERRAWIN_DOMAIN";
  }
  if (error.code === "EENCRYPT") {
    return options.encrypt
      ? "The server has no TLS certificate: set FERRAWIN_ENCRYPT=false, or give SQL Server a certificate"
      : "The server requires encryption (Force Encryption): set FERRAWIN_ENCRYPT=true";
  }
  if (OLD_TLS.test(message)) {
    return "The server's TLS version is older than the agent accepts (SQL Server 2008/2012 without " +
      "TLS 1.2 updates): set FERRAWIN_TLS_MIN_VERSION=TLSv1 (or TLSv1.1), or update the server";
  }
  if (CERTIFICATE.test(message)) {
    return "The server's certificate is not trusted: set FERRAWIN_CA_FILE to the CA that signed it, " +
      "or FERRAWIN_TRUST_SERVER_CERTIFICATE=true on a trusted LAN";
  }
  return `Check FERRAWIN_HOST${options.instanceName ? " (and the instance name)" : ""} and ` +
    "FERRAWIN_PORT, that SQL Server accepts TCP/IP connections on that port (SQL Server " +
    "Configuration Manager, TCP/IP protocol), the firewall, and FERRAWIN_ENCRYPT (false for servers " +
    "without TLS)";
}

function connectError(
  options: FerrawinSourceOptions,
  error: Error & { code?: string },
): SourceUnavailable {
  const where = `SQL Server at ${endpoint(options)} (database ${options.database})`;
  const hint = connectHint(options, error);
  if (error.code === "ELOGIN") {
    const who = options.authentication === "ntlm"
      ? `${options.domain ?? ""}\\${options.username}`
      : options.username;
    return new SourceUnavailable(
      "ferrawin",
      `login to ${where} failed for user '${who}': ${error.message} ${hint}`,
      { cause: error },
    );
  }
  return new SourceUnavailable("ferrawin", `cannot connect to ${where}: ${error.message} ${hint}`, {
    cause: error,
  });
}

/** tedious's connection settings for these options (exported for the tests). */
export function tediousConfig(options: FerrawinSourceOptions): ConnectionConfiguration {
  const authentication: ConnectionConfiguration["authentication"] =
    options.authentication === "ntlm"
      ? {
        type: "ntlm",
        options: {
          userName: options.username,
          password: options.password,
          domain: options.domain ?? "",
        },
      }
      : { type: "default", options: { userName: options.username, password: options.password } };
  // An explicit port wins over the instance name, as in SQL Server's own clients (tedious refuses both).
  const usesBrowser = !options.port && !!options.instanceName;
  return {
    server: options.host,
    authentication,
    options: {
      ...(usesBrowser ? { instanceName: options.instanceName! } : { port: options.port ?? 1433 }),
      database: options.database,
      encrypt: options.encrypt,
      trustServerCertificate: options.trustServerCertificate,
      // secureOptions is tedious's own default; giving it makes tedious use this object as is (it
      // would otherwise wrap it with Object.create, and Bun's createSecureContext ignores inherited
      // keys such as minVersion and ca).
      cryptoCredentialsDetails: {
        secureOptions: constants.SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS,
        ...(options.tlsMinVersion ? { minVersion: options.tlsMinVersion } : {}),
        ...(options.caFile ? { ca: readFileSync(options.caFile, "utf8") } : {}),
      },
      rowCollectionOnRequestCompletion: false,
      useColumnNames: false,
      connectTimeout: 15_000,
      requestTimeout: 0,
      cancelTimeout: 5_000,
    },
  };
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
    const connection = new Connection(tediousConfig(this.options));
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
