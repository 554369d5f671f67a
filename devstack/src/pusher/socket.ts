// The protocol-7 conversation with connected clients: handshake, ping/pong, subscriptions with
// channel auth, presence notifications, event delivery and the server-side activity check.
// It knows nothing about the transport, so tests can drive it with plain objects.
import { randomInt } from "node:crypto";
import type { ChannelRegistry, PresenceMember } from "./channels.ts";
import { isPresenceChannel, isPrivateChannel } from "./channels.ts";
import { EventRejected, validateChannelName } from "./events.ts";
import type { TriggeredEvent } from "./events.ts";
import { isChannelAuthValid } from "./signing.ts";

/** Close codes from the protocol; pusher-js decides whether to reconnect from the range. */
export const CloseCode = {
  appNotFound: 4001,
  unsupportedProtocol: 4007,
  overCapacity: 4100,
  reconnectNow: 4200,
  pongNotReceived: 4201,
} as const;

export interface ClientConnection {
  readonly socketId: string;
  send(frame: string): void;
  close(code: number, reason: string): void;
}

export interface SocketHubOptions {
  app: { key: string; secret: string };
  registry: ChannelRegistry;
  activityTimeoutS: number;
  /** How long a ping may go unanswered before the 4201 close; default: one activity timeout. */
  pongTimeoutS?: number;
  now?: () => number;
}

interface ConnectionState {
  connection: ClientConnection;
  lastSeenMs: number;
  pingSentMs?: number;
}

interface OutgoingFrame {
  event: string;
  channel?: string;
  data?: unknown;
}

export function newSocketId(): string {
  return `${randomInt(1, 2 ** 31)}.${randomInt(1, 2 ** 31)}`;
}

function encode(frame: OutgoingFrame): string {
  return JSON.stringify(frame);
}

function errorFrame(code: number | null, message: string): string {
  return encode({ event: "pusher:error", data: { code, message } });
}

/** Sends the `pusher:error` that explains a refusal, then closes with the same code. */
export function refuseConnection(
  connection: ClientConnection,
  code: number,
  message: string,
): void {
  connection.send(errorFrame(code, message));
  connection.close(code, message);
}

function parseData(data: unknown): Record<string, unknown> {
  if (typeof data === "string") {
    try {
      return parseData(JSON.parse(data));
    } catch {
      return {};
    }
  }
  return typeof data === "object" && data !== null ? data as Record<string, unknown> : {};
}

/** Pusher's presence limits: user ids up to 128 characters, user_info up to 1 KB. */
export const MAX_USER_ID_LENGTH = 128;
export const MAX_USER_INFO_BYTES = 1024;

/** The member a presence subscription announces, or why its channel_data is unacceptable. */
function parsePresenceMember(channelData: string): PresenceMember | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(channelData);
  } catch {
    return "channel_data must be JSON";
  }
  const { user_id: rawUserId, user_info: userInfo } = parseData(parsed);
  const userId = typeof rawUserId === "number" && Number.isFinite(rawUserId)
    ? String(rawUserId)
    : rawUserId;
  if (typeof userId !== "string" || userId.length === 0) {
    return "channel_data must carry a non-empty user_id";
  }
  if (userId.length > MAX_USER_ID_LENGTH) {
    return `user_id too long: ${userId.length} > ${MAX_USER_ID_LENGTH} characters`;
  }
  const infoBytes = new TextEncoder().encode(JSON.stringify(userInfo ?? null)).length;
  if (infoBytes > MAX_USER_INFO_BYTES) {
    return `user_info too large: ${infoBytes} > ${MAX_USER_INFO_BYTES} bytes`;
  }
  return { userId, userInfo };
}

export class SocketHub {
  private readonly connections = new Map<string, ConnectionState>();
  private readonly now: () => number;

  constructor(private readonly options: SocketHubOptions) {
    this.now = options.now ?? Date.now;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  open(connection: ClientConnection): void {
    this.connections.set(connection.socketId, { connection, lastSeenMs: this.now() });
    connection.send(encode({
      event: "pusher:connection_established",
      data: JSON.stringify({
        socket_id: connection.socketId,
        activity_timeout: this.options.activityTimeoutS,
      }),
    }));
  }

  receive(socketId: string, text: string): void {
    const state = this.connections.get(socketId);
    if (state === undefined) return;
    state.lastSeenMs = this.now();
    state.pingSentMs = undefined;
    let frame: Record<string, unknown>;
    try {
      frame = parseData(JSON.parse(text));
    } catch {
      state.connection.send(errorFrame(null, "Frames must be JSON objects"));
      return;
    }
    const { event } = frame;
    if (typeof event !== "string") return;
    if (event === "pusher:ping") {
      state.connection.send(encode({ event: "pusher:pong", data: {} }));
    } else if (event === "pusher:subscribe") {
      this.subscribe(state.connection, parseData(frame.data));
    } else if (event === "pusher:unsubscribe") {
      const { channel } = parseData(frame.data);
      if (typeof channel === "string") this.unsubscribe(socketId, channel);
    } else if (event.startsWith("client-")) {
      state.connection.send(errorFrame(
        null,
        "Client events are not enabled for this app; trigger events through the HTTP API",
      ));
    }
  }

  /** Forgets a closed connection and tells presence channels about users who left. */
  closed(socketId: string): void {
    if (!this.connections.delete(socketId)) return;
    for (const left of this.options.registry.leaveAll(socketId)) {
      if (left.memberRemovedUserId !== undefined) {
        this.notifyMemberRemoved(left.channel, left.memberRemovedUserId);
      }
    }
  }

  /** Sends a triggered event to every subscriber except the excluded socket; returns how many got it. */
  deliver(event: TriggeredEvent): number {
    const frame = encode({ event: event.name, channel: event.channel, data: event.data });
    let delivered = 0;
    for (const socketId of this.options.registry.subscribers(event.channel)) {
      if (socketId === event.excludeSocketId) continue;
      this.connections.get(socketId)?.connection.send(frame);
      delivered += 1;
    }
    return delivered;
  }

  /**
   * Pings connections silent for one activity timeout and closes those still silent one pong
   * timeout after the ping, so dead sockets do not hold presence membership forever.
   */
  checkActivity(): number {
    const now = this.now();
    const timeoutMs = this.options.activityTimeoutS * 1000;
    const pongTimeoutMs = (this.options.pongTimeoutS ?? this.options.activityTimeoutS) * 1000;
    let closed = 0;
    for (const state of [...this.connections.values()]) {
      if (state.pingSentMs === undefined) {
        if (now - state.lastSeenMs >= timeoutMs) {
          state.pingSentMs = now;
          state.connection.send(encode({ event: "pusher:ping", data: {} }));
        }
      } else if (now - state.pingSentMs >= pongTimeoutMs) {
        const { socketId } = state.connection;
        refuseConnection(state.connection, CloseCode.pongNotReceived, "Pong reply not received");
        this.closed(socketId);
        closed += 1;
      }
    }
    return closed;
  }

  /** Closes every connection with a code in the given range; returns how many were closed. */
  closeAll(code: number, reason: string): number {
    const all = [...this.connections.values()];
    for (const state of all) {
      refuseConnection(state.connection, code, reason);
      this.closed(state.connection.socketId);
    }
    return all.length;
  }

  private subscribe(connection: ClientConnection, data: Record<string, unknown>): void {
    const { socketId } = connection;
    let channel: string;
    try {
      channel = validateChannelName(data.channel);
    } catch (error) {
      if (!(error instanceof EventRejected)) throw error;
      connection.send(errorFrame(null, error.message));
      return;
    }
    const fail = (error: string) =>
      connection.send(encode({
        event: "pusher:subscription_error",
        channel,
        data: { type: "AuthError", error, status: 401 },
      }));
    let member: PresenceMember | undefined;
    if (isPresenceChannel(channel)) {
      const channelData = data.channel_data;
      if (typeof channelData !== "string") {
        return fail(`Presence channel ${channel} needs channel_data`);
      }
      if (!isChannelAuthValid(this.options.app, socketId, channel, data.auth, channelData)) {
        return fail(
          `Invalid signature for ${channel}: expected HMAC of socket_id:channel:channel_data`,
        );
      }
      const parsed = parsePresenceMember(channelData);
      if (typeof parsed === "string") return fail(parsed);
      member = parsed;
    } else if (isPrivateChannel(channel)) {
      if (!isChannelAuthValid(this.options.app, socketId, channel, data.auth)) {
        return fail(`Invalid signature for ${channel}: expected HMAC of socket_id:channel`);
      }
    }
    const { registry } = this.options;
    const joined = registry.join(channel, socketId, member);
    connection.send(encode({
      event: "pusher_internal:subscription_succeeded",
      channel,
      ...(member === undefined
        ? {}
        : { data: JSON.stringify({ presence: registry.presence(channel) }) }),
    }));
    if (joined.memberAdded !== undefined) {
      const frame = encode({
        event: "pusher_internal:member_added",
        channel,
        data: JSON.stringify({
          user_id: joined.memberAdded.userId,
          user_info: joined.memberAdded.userInfo,
        }),
      });
      this.sendToChannel(channel, frame, socketId);
    }
  }

  private unsubscribe(socketId: string, channel: string): void {
    const left = this.options.registry.leave(channel, socketId);
    if (left?.memberRemovedUserId !== undefined) {
      this.notifyMemberRemoved(channel, left.memberRemovedUserId);
    }
  }

  private notifyMemberRemoved(channel: string, userId: string): void {
    const frame = encode({
      event: "pusher_internal:member_removed",
      channel,
      data: JSON.stringify({ user_id: userId }),
    });
    this.sendToChannel(channel, frame);
  }

  private sendToChannel(channel: string, frame: string, exceptSocketId?: string): void {
    for (const socketId of this.options.registry.subscribers(channel)) {
      if (socketId !== exceptSocketId) this.connections.get(socketId)?.connection.send(frame);
    }
  }
}
