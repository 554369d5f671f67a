// The Pusher Channels stand-in: one Bun server carrying the protocol-7 WebSocket at /app/:key
// and the HTTP API at /apps/:id, plus test hooks to drop, refuse and delay for chaos tests.
import type { ServerWebSocket } from "bun";
import { ChannelRegistry } from "./channels.ts";
import type { TriggeredEvent } from "./events.ts";
import { createHttpApi } from "./http-api.ts";
import { CloseCode, newSocketId, refuseConnection, SocketHub } from "./socket.ts";

/**
 * Pusher cloud's `activity_timeout` in `pusher:connection_established` (120 s; pusher-js's own default is
 * 120 s too): how long either side waits in silence before a `pusher:ping`. See devstack/README.md.
 */
export const DEFAULT_ACTIVITY_TIMEOUT_S = 120;
/** How long a ping may go unanswered before the connection is closed with 4201 (pusher-js: 30 s). */
export const DEFAULT_PONG_TIMEOUT_S = 30;
const SUPPORTED_PROTOCOLS = new Set(["5", "6", "7"]);

export interface PusherServerOptions {
  appId: string;
  key: string;
  secret: string;
  /** 0 or absent picks a free port. */
  port?: number;
  host?: string;
  /** Seconds of silence before either side pings; small values make liveness tests fast. */
  activityTimeoutS?: number;
  /** Seconds a ping may go unanswered before the 4201 close (default 30). */
  pongTimeoutS?: number;
}

export interface PusherServerStats {
  connections: number;
  channels: number;
  connectionsOpened: number;
  connectionsRefused: number;
  connectionsDropped: number;
  /** Closed with 4201 by the activity check (no pong). */
  connectionsTimedOut: number;
  eventsTriggered: number;
  eventsDelivered: number;
  deliveryDelayMs: number;
}

export interface PusherServerHandle {
  appId: string;
  key: string;
  secret: string;
  host: string;
  port: number;
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:1234 */
  url: string;
  stop(): Promise<void>;
  /** Closes every connection with 4200 so pusher-js reconnects at once; returns how many. */
  dropAll(): number;
  /** For `ms` from now, new connections are closed with 4100 (pusher-js backs off and retries). */
  refuseFor(ms: number): void;
  /** Delays delivery of triggered events by `ms` (0 delivers immediately). */
  setDeliveryDelay(ms: number): void;
  stats(): PusherServerStats;
}

export class PusherServerConfigInvalid extends Error {
  override name = "PusherServerConfigInvalid";
}

interface SocketData {
  socketId: string;
  refusal?: { code: number; message: string };
}

function validate(
  options: PusherServerOptions,
): { activityTimeoutS: number; pongTimeoutS: number } {
  for (const field of ["appId", "key", "secret"] as const) {
    if (typeof options[field] !== "string" || options[field].length === 0) {
      throw new PusherServerConfigInvalid(`Pusher stand-in needs a non-empty ${field}`);
    }
  }
  const activityTimeoutS = options.activityTimeoutS ?? DEFAULT_ACTIVITY_TIMEOUT_S;
  if (!Number.isFinite(activityTimeoutS) || activityTimeoutS <= 0) {
    throw new PusherServerConfigInvalid(
      `activityTimeoutS must be a positive number of seconds, got ${activityTimeoutS}: pusher-js fails the handshake on 0`,
    );
  }
  const pongTimeoutS = options.pongTimeoutS ?? DEFAULT_PONG_TIMEOUT_S;
  if (!Number.isFinite(pongTimeoutS) || pongTimeoutS <= 0) {
    throw new PusherServerConfigInvalid(
      `pongTimeoutS must be a positive number of seconds, got ${pongTimeoutS}`,
    );
  }
  return { activityTimeoutS, pongTimeoutS };
}

function connectionFor(ws: ServerWebSocket<SocketData>) {
  return {
    socketId: ws.data.socketId,
    send: (frame: string) => void ws.send(frame),
    close: (code: number, reason: string) => ws.close(code, reason),
  };
}

/** Starts listening; rejects with PusherServerConfigInvalid before binding anything if options are wrong. */
export function startPusherServer(options: PusherServerOptions): Promise<PusherServerHandle> {
  return new Promise((resolve) => resolve(listen(options)));
}

function listen(options: PusherServerOptions): PusherServerHandle {
  const { activityTimeoutS, pongTimeoutS } = validate(options);
  const app = { appId: options.appId, key: options.key, secret: options.secret };
  const registry = new ChannelRegistry();
  const hub = new SocketHub({ app, registry, activityTimeoutS, pongTimeoutS });
  const counters = {
    connectionsOpened: 0,
    connectionsRefused: 0,
    connectionsDropped: 0,
    connectionsTimedOut: 0,
    eventsTriggered: 0,
    eventsDelivered: 0,
  };
  let deliveryDelayMs = 0;
  let refuseUntilMs = 0;
  const pendingDeliveries = new Set<ReturnType<typeof setTimeout>>();

  const deliver = (events: TriggeredEvent[]) => {
    for (const event of events) counters.eventsDelivered += hub.deliver(event);
  };
  const httpApi = createHttpApi({
    app,
    registry,
    publish(events) {
      counters.eventsTriggered += events.length;
      if (deliveryDelayMs <= 0) return deliver(events);
      const timer = setTimeout(() => {
        pendingDeliveries.delete(timer);
        deliver(events);
      }, deliveryDelayMs);
      pendingDeliveries.add(timer);
    },
  });

  function refusalFor(url: URL, key: string): SocketData["refusal"] {
    if (key !== app.key) {
      return {
        code: CloseCode.appNotFound,
        message: `App key ${key} does not exist on this server`,
      };
    }
    const protocol = url.searchParams.get("protocol");
    if (protocol === null || !SUPPORTED_PROTOCOLS.has(protocol)) {
      return {
        code: CloseCode.unsupportedProtocol,
        message: `Unsupported protocol version ${protocol}`,
      };
    }
    if (Date.now() < refuseUntilMs) {
      return {
        code: CloseCode.overCapacity,
        message: "Over capacity: refusing new connections (test hook)",
      };
    }
    return undefined;
  }

  const server = Bun.serve<SocketData>({
    port: options.port ?? 0,
    hostname: options.host ?? "127.0.0.1",
    async fetch(request, server) {
      const url = new URL(request.url);
      const socketPath = /^\/app\/([^/]+)$/.exec(url.pathname);
      if (socketPath?.[1] !== undefined) {
        const refusal = refusalFor(url, socketPath[1]);
        const data: SocketData = { socketId: newSocketId(), ...(refusal ? { refusal } : {}) };
        if (server.upgrade(request, { data })) return undefined;
        return new Response("Expected a WebSocket upgrade\n", { status: 426 });
      }
      if (url.pathname === "/") return new Response("ok\n");
      return await httpApi(request);
    },
    websocket: {
      // Liveness is the protocol's job (pusher:ping/pong and the activity check below).
      idleTimeout: 0,
      sendPings: false,
      open(ws) {
        const connection = connectionFor(ws);
        if (ws.data.refusal !== undefined) {
          counters.connectionsRefused += 1;
          refuseConnection(connection, ws.data.refusal.code, ws.data.refusal.message);
          return;
        }
        counters.connectionsOpened += 1;
        hub.open(connection);
      },
      message(ws, message) {
        hub.receive(
          ws.data.socketId,
          typeof message === "string" ? message : message.toString("utf8"),
        );
      },
      close(ws) {
        hub.closed(ws.data.socketId);
      },
    },
  });

  const checkEveryMs = Math.max(
    50,
    Math.min(1000, (Math.min(activityTimeoutS, pongTimeoutS) * 1000) / 4),
  );
  const activityTimer = setInterval(() => {
    counters.connectionsTimedOut += hub.checkActivity();
  }, checkEveryMs);
  const host = server.hostname ?? options.host ?? "127.0.0.1";
  const port = server.port ?? 0;

  return {
    ...app,
    host,
    port,
    url: `http://${host}:${port}`,
    async stop() {
      clearInterval(activityTimer);
      for (const timer of pendingDeliveries) clearTimeout(timer);
      pendingDeliveries.clear();
      await server.stop(true);
    },
    dropAll() {
      const dropped = hub.closeAll(
        CloseCode.reconnectNow,
        "Connection dropped by the server (test hook)",
      );
      counters.connectionsDropped += dropped;
      return dropped;
    },
    refuseFor(ms) {
      refuseUntilMs = Date.now() + ms;
    },
    setDeliveryDelay(ms) {
      deliveryDelayMs = Math.max(0, ms);
    },
    stats() {
      return {
        connections: hub.connectionCount,
        channels: registry.channelCount,
        deliveryDelayMs,
        ...counters,
      };
    },
  };
}
