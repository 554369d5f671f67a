// Parses and validates events triggered over the HTTP API against Pusher's published limits.

export const MAX_CHANNELS_PER_EVENT = 100;
export const MAX_NAME_LENGTH = 200;
export const MAX_DATA_BYTES = 10 * 1024;
export const MAX_EVENTS_PER_BATCH = 10;

const CHANNEL_NAME = /^[-a-zA-Z0-9_=@,.;]+$/;
const SOCKET_ID = /^\d+\.\d+$/;

export interface TriggeredEvent {
  channel: string;
  name: string;
  data: string;
  /** The connection that must not receive this event. */
  excludeSocketId?: string;
}

/** An event the HTTP API refuses; `status` is what Pusher answers (400 or 413). */
export class EventRejected extends Error {
  override name = "EventRejected";
  constructor(readonly status: 400 | 413, message: string) {
    super(message);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function validateChannelName(channel: unknown): string {
  if (typeof channel !== "string" || channel.length === 0) {
    throw new EventRejected(400, "Channel names must be non-empty strings");
  }
  if (channel.length > MAX_NAME_LENGTH) {
    throw new EventRejected(
      400,
      `Channel name too long: ${channel.length} > ${MAX_NAME_LENGTH} characters`,
    );
  }
  if (!CHANNEL_NAME.test(channel)) {
    throw new EventRejected(400, `Invalid channel name ${JSON.stringify(channel)}`);
  }
  return channel;
}

/** One event body (`channels` or `channel`), expanded into one TriggeredEvent per channel. */
export function parseEvent(body: unknown): TriggeredEvent[] {
  if (!isRecord(body)) throw new EventRejected(400, "Event must be a JSON object");
  const { name, data, socket_id: socketId } = body;
  if (typeof name !== "string" || name.length === 0) {
    throw new EventRejected(400, "Event name must be a non-empty string");
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new EventRejected(
      400,
      `Event name too long: ${name.length} > ${MAX_NAME_LENGTH} characters`,
    );
  }
  if (typeof data !== "string") {
    throw new EventRejected(400, "Event data must be a string (JSON-encode objects first)");
  }
  const dataBytes = new TextEncoder().encode(data).length;
  if (dataBytes > MAX_DATA_BYTES) {
    throw new EventRejected(413, `Event data too large: ${dataBytes} > ${MAX_DATA_BYTES} bytes`);
  }
  const rawChannels = body.channels ?? (body.channel === undefined ? undefined : [body.channel]);
  if (!Array.isArray(rawChannels) || rawChannels.length === 0) {
    throw new EventRejected(400, "Event needs `channels` (array) or `channel`");
  }
  if (rawChannels.length > MAX_CHANNELS_PER_EVENT) {
    throw new EventRejected(
      400,
      `Too many channels: ${rawChannels.length} > ${MAX_CHANNELS_PER_EVENT}`,
    );
  }
  if (socketId !== undefined && (typeof socketId !== "string" || !SOCKET_ID.test(socketId))) {
    throw new EventRejected(400, `Invalid socket_id ${JSON.stringify(socketId)}`);
  }
  return rawChannels.map((channel) => ({
    channel: validateChannelName(channel),
    name,
    data,
    ...(socketId === undefined ? {} : { excludeSocketId: socketId }),
  }));
}

/** A `{batch:[...]}` body; each item names a single `channel`. */
export function parseBatch(body: unknown): TriggeredEvent[][] {
  if (!isRecord(body) || !Array.isArray(body.batch)) {
    throw new EventRejected(400, "Batch must be a JSON object with a `batch` array");
  }
  if (body.batch.length > MAX_EVENTS_PER_BATCH) {
    throw new EventRejected(
      400,
      `Batch too large: ${body.batch.length} > ${MAX_EVENTS_PER_BATCH} events`,
    );
  }
  return body.batch.map((item: unknown) => {
    if (isRecord(item) && item.channels !== undefined) {
      throw new EventRejected(400, "Batch events take a single `channel`, not `channels`");
    }
    return parseEvent(item);
  });
}
