// The SQL Server stand-in: a TDS 7.4 (or 7.3) listener whose answers come from an injected
// SqlExecutor, with optional TLS inside TDS, Windows (NTLM) logins, and fault hooks for chaos tests.

import { createServer, type Socket } from "node:net";
import type { SqlExecutor } from "./executor.ts";
import type { ServerVersion } from "./login.ts";
import type { WindowsAccount } from "./ntlm.ts";
import { type FaultState, type ServerStats, Session } from "./session.ts";
import type { TlsSettings } from "./tls.ts";
import type { TdsVersionName } from "./tokens.ts";
import { type CollationName, Collations } from "./values.ts";

/** What each TDS version's server reports: SQL Server 2022 for 7.4, 2008 R2 RTM (10.50.1600) for 7.3. */
const SERVER_VERSIONS: Record<TdsVersionName, ServerVersion> = {
  "7.4": { major: 16, minor: 0, build: 1000 },
  "7.3": { major: 10, minor: 50, build: 1600 },
};

export interface SqlServerOptions {
  /** 0 or omitted: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  user: string;
  password: string;
  /** The only database a login may ask for (an empty login database gets this one). */
  database: string;
  executor: SqlExecutor;
  /** Server name in ERROR tokens. Default "puente-sqlserver". */
  serverName?: string;
  /** "7.3" answers logins as SQL Server 2008 R2 does. Default "7.4". */
  tdsVersion?: TdsVersionName;
  /** The database collation, also the collation of every character column. Default SQL_Latin1_General_CP1_CI_AS. */
  collation?: CollationName;
  /** A certificate: encryption offered (or required, with `isRequired`), possibly capped in version. */
  tls?: TlsSettings;
  /** The Windows account NTLM logins are checked against; without it Windows logins fail with 18452. */
  windowsAccount?: WindowsAccount;
}

export interface SqlServerHandle {
  host: string;
  port: number;
  /** The version the server reports, e.g. "10.50.1600" (SQL Browser answers carry it). */
  version: string;
  /** Closes the listener and every open connection. */
  stop(): Promise<void>;
  /**
   * After `rows` rows of a result, deliver them and cut the connection (the client sees a socket
   * error). Applies to every result until `null`, or only to the next one with `{ once: true }`.
   */
  dropAfterRows(rows: number | null, options?: { once?: boolean }): void;
  /** Waits `ms` before each row is sent (0 turns it off). */
  setRowDelay(ms: number): void;
  /** While true, every login fails with error 18456, as a server refusing the account would. */
  refuseLogins(isRefusing: boolean): void;
  stats(): ServerStats;
}

export async function startSqlServer(options: SqlServerOptions): Promise<SqlServerHandle> {
  const host = options.host ?? "127.0.0.1";
  const faults: FaultState = {
    dropAfterRows: null,
    isDropOnce: false,
    rowDelayMs: 0,
    isRefusingLogins: false,
  };
  const stats: ServerStats = {
    openConnections: 0,
    totalConnections: 0,
    logins: 0,
    failedLogins: 0,
    requests: 0,
    rowsSent: 0,
    attentions: 0,
    droppedConnections: 0,
  };
  const config = {
    user: options.user,
    password: options.password,
    database: options.database,
    executor: options.executor,
    serverName: options.serverName ?? "puente-sqlserver",
    tdsVersion: options.tdsVersion ?? "7.4",
    serverVersion: SERVER_VERSIONS[options.tdsVersion ?? "7.4"],
    collation: Collations[options.collation ?? "SQL_Latin1_General_CP1_CI_AS"],
    tls: options.tls ?? null,
    windowsAccount: options.windowsAccount ?? null,
  };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    stats.openConnections++;
    stats.totalConnections++;
    socket.on("close", () => {
      sockets.delete(socket);
      stats.openConnections--;
    });
    new Session(socket, config, faults, stats);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw new Error("SQL Server stand-in: no TCP address");
  }

  const { major, minor, build } = config.serverVersion;
  return {
    host,
    port: address.port,
    version: `${major}.${minor}.${build}`,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    dropAfterRows: (rows, dropOptions) => {
      faults.dropAfterRows = rows;
      faults.isDropOnce = dropOptions?.once ?? false;
    },
    setRowDelay: (ms) => {
      faults.rowDelayMs = Math.max(0, ms);
    },
    refuseLogins: (isRefusing) => {
      faults.isRefusingLogins = isRefusing;
    },
    stats: () => ({ ...stats }),
  };
}
