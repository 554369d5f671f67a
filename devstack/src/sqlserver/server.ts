// The SQL Server stand-in: a TDS 7.4 listener (no TLS) whose answers come from an injected
// SqlExecutor, with fault hooks for chaos tests.

import { createServer, type Socket } from "node:net";
import type { SqlExecutor } from "./executor.ts";
import { type FaultState, type ServerStats, Session } from "./session.ts";

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
}

export interface SqlServerHandle {
  host: string;
  port: number;
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

  return {
    host,
    port: address.port,
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
