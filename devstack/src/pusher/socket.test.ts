// Unit tests for the protocol conversation, driven with fake connections and a fake clock.
import { describe, expect, test } from "bun:test";
import { ChannelRegistry } from "./channels.ts";
import { channelAuth } from "./signing.ts";
import { CloseCode, newSocketId, SocketHub } from "./socket.ts";

const app = { key: "key", secret: "secret" };

interface Frame {
  event: string;
  channel?: string;
  data?: unknown;
}

class FakeConnection {
  readonly frames: Frame[] = [];
  closedWith?: number;
  constructor(readonly socketId: string) {}
  send(frame: string): void {
    this.frames.push(JSON.parse(frame) as Frame);
  }
  close(code: number): void {
    this.closedWith = code;
  }
  events(): string[] {
    return this.frames.map((f) => f.event);
  }
  last(): Frame | undefined {
    return this.frames.at(-1);
  }
}

function setup(activityTimeoutS = 30, pongTimeoutS?: number) {
  let nowMs = 1_000_000;
  const registry = new ChannelRegistry();
  const hub = new SocketHub({ app, registry, activityTimeoutS, pongTimeoutS, now: () => nowMs });
  const connect = (socketId: string) => {
    const connection = new FakeConnection(socketId);
    hub.open(connection);
    return connection;
  };
  const send = (connection: FakeConnection, frame: Frame) =>
    hub.receive(connection.socketId, JSON.stringify(frame));
  const advance = (ms: number) => {
    nowMs += ms;
  };
  return { hub, registry, connect, send, advance };
}

function joinPresence(
  ctx: ReturnType<typeof setup>,
  connection: FakeConnection,
  channel: string,
  userId: string,
) {
  const channelData = JSON.stringify({ user_id: userId, user_info: { name: userId } });
  ctx.send(connection, {
    event: "pusher:subscribe",
    data: {
      channel,
      channel_data: channelData,
      auth: channelAuth(app, connection.socketId, channel, channelData),
    },
  });
}

describe("SocketHub", () => {
  test("handshake carries socket id and activity timeout as a JSON string", () => {
    const ctx = setup(7);
    const connection = ctx.connect("12.34");
    expect(connection.frames[0]).toEqual({
      event: "pusher:connection_established",
      data: '{"socket_id":"12.34","activity_timeout":7}',
    });
    expect(newSocketId()).toMatch(/^\d+\.\d+$/);
  });

  test("ping gets pong", () => {
    const ctx = setup();
    const connection = ctx.connect("1.1");
    ctx.send(connection, { event: "pusher:ping", data: {} });
    expect(connection.last()).toEqual({ event: "pusher:pong", data: {} });
  });

  test("private subscribe needs the right signature", () => {
    const ctx = setup();
    const connection = ctx.connect("1.1");
    ctx.send(connection, {
      event: "pusher:subscribe",
      data: { channel: "private-a", auth: channelAuth(app, "1.1", "private-b") },
    });
    expect(connection.last()).toMatchObject({
      event: "pusher:subscription_error",
      channel: "private-a",
      data: { type: "AuthError", status: 401 },
    });
    expect(ctx.registry.isSubscribed("private-a", "1.1")).toBe(false);
    ctx.send(connection, {
      event: "pusher:subscribe",
      data: { channel: "private-a", auth: channelAuth(app, "1.1", "private-a") },
    });
    expect(connection.last()).toEqual({
      event: "pusher_internal:subscription_succeeded",
      channel: "private-a",
    });
  });

  test("presence: member_added once per user, never to the joiner; member_removed on last leave", () => {
    const ctx = setup();
    const watcher = ctx.connect("9.9");
    joinPresence(ctx, watcher, "presence-x", "w");
    const first = ctx.connect("1.1");
    joinPresence(ctx, first, "presence-x", "u");
    expect(JSON.parse(first.last()?.data as string)).toEqual({
      presence: { ids: ["w", "u"], hash: { w: { name: "w" }, u: { name: "u" } }, count: 2 },
    });
    expect(first.events()).not.toContain("pusher_internal:member_added");
    expect(watcher.last()).toEqual({
      event: "pusher_internal:member_added",
      channel: "presence-x",
      data: '{"user_id":"u","user_info":{"name":"u"}}',
    });
    const second = ctx.connect("1.2");
    joinPresence(ctx, second, "presence-x", "u");
    expect(watcher.events().filter((e) => e === "pusher_internal:member_added")).toHaveLength(1);

    ctx.send(first, { event: "pusher:unsubscribe", data: { channel: "presence-x" } });
    expect(watcher.events()).not.toContain("pusher_internal:member_removed");
    ctx.hub.closed("1.2");
    expect(watcher.last()).toEqual({
      event: "pusher_internal:member_removed",
      channel: "presence-x",
      data: '{"user_id":"u"}',
    });
  });

  test("presence refuses altered channel_data", () => {
    const ctx = setup();
    const connection = ctx.connect("1.1");
    const signed = '{"user_id":"u"}';
    ctx.send(connection, {
      event: "pusher:subscribe",
      data: {
        channel: "presence-x",
        channel_data: '{"user_id":"admin"}',
        auth: channelAuth(app, "1.1", "presence-x", signed),
      },
    });
    expect(connection.last()?.event).toBe("pusher:subscription_error");
  });

  test("presence refuses channel_data beyond Pusher's limits or without user_id", () => {
    const ctx = setup();
    const connection = ctx.connect("1.1");
    const attempts = [
      JSON.stringify({ user_id: "u".repeat(129) }),
      JSON.stringify({ user_id: "u", user_info: { bio: "x".repeat(1100) } }),
      JSON.stringify({ user_info: {} }),
      "not json",
    ];
    for (const channelData of attempts) {
      ctx.send(connection, {
        event: "pusher:subscribe",
        data: {
          channel: "presence-x",
          channel_data: channelData,
          auth: channelAuth(app, "1.1", "presence-x", channelData),
        },
      });
      expect(connection.last()).toMatchObject({
        event: "pusher:subscription_error",
        data: { status: 401 },
      });
    }
    expect(ctx.registry.isSubscribed("presence-x", "1.1")).toBe(false);
    const numeric = JSON.stringify({ user_id: 10, user_info: { name: "Mr. Pusher" } });
    ctx.send(connection, {
      event: "pusher:subscribe",
      data: {
        channel: "presence-x",
        channel_data: numeric,
        auth: channelAuth(app, "1.1", "presence-x", numeric),
      },
    });
    expect(ctx.registry.presence("presence-x").ids).toEqual(["10"]);
  });

  test("client events are refused and not broadcast", () => {
    const ctx = setup();
    const a = ctx.connect("1.1");
    const b = ctx.connect("2.2");
    ctx.send(a, { event: "pusher:subscribe", data: { channel: "public" } });
    ctx.send(b, { event: "pusher:subscribe", data: { channel: "public" } });
    const before = b.frames.length;
    ctx.send(a, { event: "client-hello", channel: "public", data: {} });
    expect(a.last()?.event).toBe("pusher:error");
    expect(b.frames.length).toBe(before);
  });

  test("deliver skips the excluded socket and counts deliveries", () => {
    const ctx = setup();
    const a = ctx.connect("1.1");
    const b = ctx.connect("2.2");
    ctx.send(a, { event: "pusher:subscribe", data: { channel: "public" } });
    ctx.send(b, { event: "pusher:subscribe", data: { channel: "public" } });
    expect(ctx.hub.deliver({ channel: "public", name: "e", data: "d", excludeSocketId: "1.1" }))
      .toBe(1);
    expect(b.last()).toEqual({ event: "e", channel: "public", data: "d" });
    expect(a.last()?.event).toBe("pusher_internal:subscription_succeeded");
  });

  test("silent connections are pinged, then closed with 4201 and removed from presence", () => {
    const ctx = setup(2);
    const watcher = ctx.connect("9.9");
    const dead = ctx.connect("1.1");
    joinPresence(ctx, watcher, "presence-x", "w");
    joinPresence(ctx, dead, "presence-x", "dead");
    ctx.advance(1999);
    ctx.send(watcher, { event: "pusher:ping", data: {} });
    ctx.hub.checkActivity();
    expect(dead.last()?.event).not.toBe("pusher:ping");
    ctx.advance(1);
    ctx.hub.checkActivity();
    expect(dead.last()).toEqual({ event: "pusher:ping", data: {} });
    ctx.send(watcher, { event: "pusher:pong", data: {} });
    ctx.advance(2000);
    ctx.send(watcher, { event: "pusher:pong", data: {} });
    expect(ctx.hub.checkActivity()).toBe(1);
    expect(dead.closedWith).toBe(CloseCode.pongNotReceived);
    expect(watcher.closedWith).toBeUndefined();
    expect(watcher.last()).toMatchObject({
      event: "pusher_internal:member_removed",
      data: '{"user_id":"dead"}',
    });
    expect(ctx.hub.connectionCount).toBe(1);
  });

  test("with Pusher cloud's timeouts, a silent socket is pinged at 120 s and closed 30 s later", () => {
    const ctx = setup(120, 30);
    const silent = ctx.connect("1.1");
    ctx.advance(119_999);
    ctx.hub.checkActivity();
    expect(silent.last()?.event).toBe("pusher:connection_established");
    ctx.advance(1);
    ctx.hub.checkActivity();
    expect(silent.last()).toEqual({ event: "pusher:ping", data: {} });
    ctx.advance(29_999);
    expect(ctx.hub.checkActivity()).toBe(0);
    ctx.advance(1);
    expect(ctx.hub.checkActivity()).toBe(1);
    expect(silent.closedWith).toBe(CloseCode.pongNotReceived);
  });

  test("closeAll sends the error then closes with the code", () => {
    const ctx = setup();
    const a = ctx.connect("1.1");
    expect(ctx.hub.closeAll(4200, "Server restarting")).toBe(1);
    expect(a.last()).toEqual({
      event: "pusher:error",
      data: { code: 4200, message: "Server restarting" },
    });
    expect(a.closedWith).toBe(4200);
    expect(ctx.hub.connectionCount).toBe(0);
  });
});
