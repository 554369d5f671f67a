// A minimal Pusher Channels protocol 7 server for the listener's tests: handshake, private and presence
// subscriptions (auth required, not verified), events pushed by the test, and dropped connections.
import type { ServerWebSocket } from "bun";

export interface FakePusher {
  port: number;
  /** Channels subscribed, with the auth string each subscribe carried. */
  subscriptions: { channel: string; auth: string | undefined; channelData?: string }[];
  connections: number;
  /** Live connections currently subscribed to `channel`. */
  subscribers(channel: string): number;
  send(channel: string, event: string, data: unknown): void;
  /** Closes every client connection with this code (4200: reconnect at once). */
  dropAll(code?: number): void;
  stop(): Promise<void>;
}

export function startFakePusher(): FakePusher {
  const sockets = new Set<ServerWebSocket<unknown>>();
  const subscribed = new Map<ServerWebSocket<unknown>, Set<string>>();
  let socketCounter = 0;
  const fake: Omit<FakePusher, "port" | "stop"> = {
    subscriptions: [],
    connections: 0,
    subscribers(channel) {
      return [...subscribed.values()].filter((channels) => channels.has(channel)).length;
    },
    send(channel, event, data) {
      for (const [ws, channels] of subscribed) {
        if (channels.has(channel)) {
          ws.send(JSON.stringify({ event, channel, data: JSON.stringify(data) }));
        }
      }
    },
    dropAll(code = 4200) {
      for (const ws of sockets) ws.close(code, "dropped by the test");
    },
  };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request, srv) {
      if (new URL(request.url).pathname.startsWith("/app/") && srv.upgrade(request)) {
        return undefined;
      }
      return new Response("not found", { status: 404 });
    },
    websocket: {
      open(ws) {
        fake.connections++;
        sockets.add(ws);
        subscribed.set(ws, new Set());
        ws.send(JSON.stringify({
          event: "pusher:connection_established",
          data: JSON.stringify({
            socket_id: `${++socketCounter}.${socketCounter}`,
            activity_timeout: 30,
          }),
        }));
      },
      message(ws, raw) {
        const message = JSON.parse(String(raw)) as {
          event: string;
          data: { channel?: string; auth?: string; channel_data?: string };
        };
        if (message.event === "pusher:ping") {
          ws.send(JSON.stringify({ event: "pusher:pong", data: {} }));
        } else if (message.event === "pusher:subscribe") {
          const channel = message.data.channel!;
          fake.subscriptions.push({
            channel,
            auth: message.data.auth,
            channelData: message.data.channel_data,
          });
          if (channel.startsWith("private-") || channel.startsWith("presence-")) {
            if (!message.data.auth) {
              ws.send(JSON.stringify({
                event: "pusher:subscription_error",
                channel,
                data: { type: "AuthError", error: "no auth", status: 401 },
              }));
              return;
            }
          }
          subscribed.get(ws)!.add(channel);
          const data = channel.startsWith("presence-")
            ? JSON.stringify({ presence: { ids: [], hash: {}, count: 0 } })
            : "{}";
          ws.send(
            JSON.stringify({ event: "pusher_internal:subscription_succeeded", channel, data }),
          );
        }
      },
      close(ws) {
        sockets.delete(ws);
        subscribed.delete(ws);
      },
    },
  });
  return Object.assign(fake, {
    port: server.port!,
    async stop() {
      await server.stop(true);
    },
  });
}
