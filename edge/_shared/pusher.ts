// Pusher from the edge: triggering events (the doorbell and the live feed) and signing channel
// authorizations. Triggering never fails a request: Postgres is the source of truth.
import Pusher from "pusher";
import type { PusherConfig } from "./env.ts";

export interface Notifier {
  trigger(channel: string, event: string, data: unknown): Promise<void>;
}

export interface ChannelAuthorizer {
  /** Pusher's `{auth, channel_data?}` answer for a socket joining a private or presence channel. */
  authorize(
    socketId: string,
    channel: string,
    presence?: { user_id: string; user_info?: Record<string, unknown> },
  ): { auth: string; channel_data?: string };
}

export function pusherClient(config: PusherConfig): Pusher {
  const credentials = { appId: config.appId, key: config.key, secret: config.secret };
  return "cluster" in config
    ? new Pusher({ ...credentials, cluster: config.cluster, useTLS: true })
    : new Pusher({
      ...credentials,
      host: config.host,
      port: config.port === undefined ? undefined : String(config.port),
      useTLS: config.useTLS,
    });
}

export function pusherNotifier(client: Pusher): Notifier {
  return {
    async trigger(channel, event, data) {
      await client.trigger(channel, event, data);
    },
  };
}

export function pusherAuthorizer(client: Pusher): ChannelAuthorizer {
  return {
    authorize: (socketId, channel, presence) =>
      presence
        ? client.authorizeChannel(socketId, channel, presence)
        : client.authorizeChannel(socketId, channel),
  };
}

export interface RecordedEvent {
  channel: string;
  event: string;
  data: unknown;
}

/** For tests: remembers every event; `failWith` makes every trigger throw like an unreachable Pusher. */
export class RecordingNotifier implements Notifier {
  readonly events: RecordedEvent[] = [];
  failWith: Error | null = null;

  trigger(channel: string, event: string, data: unknown): Promise<void> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.events.push({ channel, event, data });
    return Promise.resolve();
  }
}

/** Pusher's limit is 10 KB per event; larger payloads are refused by the service. */
export const MAX_EVENT_BYTES = 10_000;

export function eventSize(data: unknown): number {
  return new TextEncoder().encode(JSON.stringify(data)).byteLength;
}
