// SQL Server Browser: the SQL Server Resolution Protocol (SSRP, [MS-SQLR]) over UDP, so a client that
// knows only `HOST\INSTANCE` finds the instance's dynamic TCP port, as SQL Server Express needs.
//
// Requests ([MS-SQLR] 2.2.1-2.2.4): CLNT_BCAST_EX 0x02 and CLNT_UCAST_EX 0x03 ask for every instance,
// CLNT_UCAST_INST 0x04 + instance name (MBCS, NUL-terminated, at most 32 bytes) for one. The answer is
// SVR_RESP ([MS-SQLR] 2.2.5): 0x05, RESP_SIZE (uint16 LE), then
// `ServerName;X;InstanceName;Y;IsClustered;No;Version;V;tcp;PORT;;` per instance. An instance the
// server does not know gets no answer at all (the client times out), and malformed requests are
// dropped silently, as the Browser service does.

import { createSocket, type RemoteInfo, type Socket } from "node:dgram";

export const SSRP_PORT = 1434;

export const SsrpRequest = {
  BroadcastEx: 0x02,
  UnicastEx: 0x03,
  UnicastInstance: 0x04,
} as const;

const SVR_RESP = 0x05;
/** CLNT_UCAST_INST answers are at most 1,024 bytes of data; the _EX ones 65,535. */
const MAX_INSTANCE_RESPONSE = 1024;
const MAX_LIST_RESPONSE = 65535;
const MAX_INSTANCE_NAME_BYTES = 32;

export interface BrowsedInstance {
  /** The instance name, e.g. "SQLEXPRESS" (matched case-insensitively, as Windows does). */
  name: string;
  tcpPort: number;
  /** The version string the Browser reports, e.g. "10.50.1600.1" for SQL Server 2008 R2. */
  version: string;
}

export interface SqlBrowserOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 1434, the only port real clients (tedious included) ask. */
  port?: number;
  /** The machine name in the answers. Default "PUENTE-SQL". */
  serverName?: string;
  instances: BrowsedInstance[];
}

export interface SqlBrowserHandle {
  host: string;
  port: number;
  /** Requests answered and requests ignored (unknown instance or malformed). */
  stats(): { answered: number; ignored: number };
  stop(): Promise<void>;
}

/** The SVR_RESP data for some instances (the part after RESP_SIZE). */
export function describeInstances(serverName: string, instances: BrowsedInstance[]): string {
  return instances.map((instance) =>
    `ServerName;${serverName};InstanceName;${instance.name};IsClustered;No;` +
    `Version;${instance.version};tcp;${instance.tcpPort};;`
  ).join("");
}

/** The answer to one request, or null when the Browser stays silent. */
export function answerSsrp(
  request: Buffer,
  serverName: string,
  instances: BrowsedInstance[],
): Buffer | null {
  const kind = request[0];
  if (kind === SsrpRequest.BroadcastEx || kind === SsrpRequest.UnicastEx) {
    if (request.length !== 1 || instances.length === 0) return null;
    return svrResp(describeInstances(serverName, instances), MAX_LIST_RESPONSE);
  }
  if (kind === SsrpRequest.UnicastInstance) {
    const nameBytes = request.subarray(1);
    const end = nameBytes.indexOf(0);
    const name = (end === -1 ? nameBytes : nameBytes.subarray(0, end)).toString("latin1");
    if (name === "" || name.length > MAX_INSTANCE_NAME_BYTES) return null;
    const instance = instances.find((i) => i.name.toUpperCase() === name.toUpperCase());
    if (!instance) return null;
    return svrResp(describeInstances(serverName, [instance]), MAX_INSTANCE_RESPONSE);
  }
  return null;
}

function svrResp(data: string, limit: number): Buffer | null {
  const bytes = Buffer.from(data, "latin1");
  if (bytes.length > limit) return null;
  const header = Buffer.alloc(3);
  header[0] = SVR_RESP;
  header.writeUInt16LE(bytes.length, 1);
  return Buffer.concat([header, bytes]);
}

/**
 * A random 127.0.x.y address (Linux routes all of 127/8 to loopback): tedious asks the Browser only on
 * UDP 1434, so a test's Browser and server listen on an address of their own instead of a free port.
 */
export function privateLoopbackHost(): string {
  return `127.0.${20 + Math.floor(Math.random() * 200)}.${2 + Math.floor(Math.random() * 250)}`;
}

/** Starts a Browser answering SSRP for `instances` on UDP host:port. */
export async function startSqlBrowser(options: SqlBrowserOptions): Promise<SqlBrowserHandle> {
  const host = options.host ?? "127.0.0.1";
  const serverName = options.serverName ?? "PUENTE-SQL";
  const socket: Socket = createSocket(host.includes(":") ? "udp6" : "udp4");
  const counts = { answered: 0, ignored: 0 };
  socket.on("message", (request: Buffer, peer: RemoteInfo) => {
    const answer = answerSsrp(request, serverName, options.instances);
    if (!answer) {
      counts.ignored++;
      return;
    }
    counts.answered++;
    socket.send(answer, peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(options.port ?? SSRP_PORT, host, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  // A send to a client that has gone is not the Browser's problem.
  socket.on("error", () => {});
  return {
    host,
    port: socket.address().port,
    stats: () => ({ ...counts }),
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
