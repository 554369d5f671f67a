// Pusher's HTTP API (events, batch events, channel queries) over standard Request/Response,
// with every request's signature verified before it touches any state.
import type { ChannelRegistry } from "./channels.ts";
import { isPresenceChannel } from "./channels.ts";
import { EventRejected, parseBatch, parseEvent, validateChannelName } from "./events.ts";
import type { TriggeredEvent } from "./events.ts";
import { verifyRequestSignature } from "./signing.ts";

export interface HttpApiOptions {
  app: { appId: string; key: string; secret: string };
  registry: ChannelRegistry;
  /** Hands accepted events to the socket side; called once per request, after validation. */
  publish(events: TriggeredEvent[]): void;
  nowS?: () => number;
}

type ChannelAttributes = { occupied?: boolean; user_count?: number; subscription_count?: number };

function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

function text(message: string, status: number): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}

function requestedInfo(value: unknown): Set<string> {
  return new Set(typeof value === "string" && value.length > 0 ? value.split(",") : []);
}

export function createHttpApi(options: HttpApiOptions): (request: Request) => Promise<Response> {
  const { app, registry } = options;

  function attributes(channel: string, info: Set<string>): ChannelAttributes {
    const summary = registry.summary(channel);
    const result: ChannelAttributes = {};
    if (info.has("user_count")) {
      if (!isPresenceChannel(channel)) {
        throw new EventRejected(400, "info=user_count is only available for presence channels");
      }
      result.user_count = summary?.userCount ?? 0;
    }
    if (info.has("subscription_count")) result.subscription_count = summary?.subscriptionCount ?? 0;
    return result;
  }

  function triggerReply(batches: TriggeredEvent[][], info: Set<string>): Record<string, unknown> {
    return Object.fromEntries(
      batches.flat().map((event) => [event.channel, attributes(event.channel, info)]),
    );
  }

  function listChannels(params: URLSearchParams): Response {
    const prefix = params.get("filter_by_prefix") ?? "";
    const info = requestedInfo(params.get("info"));
    if (info.has("user_count") && !prefix.startsWith("presence-")) {
      throw new EventRejected(400, "info=user_count requires filter_by_prefix=presence-");
    }
    const channels: Record<string, ChannelAttributes> = {};
    for (const summary of registry.occupied(prefix)) {
      channels[summary.name] = attributes(summary.name, info);
    }
    return json({ channels });
  }

  function showChannel(channel: string, params: URLSearchParams): Response {
    const info = requestedInfo(params.get("info"));
    return json({
      occupied: registry.summary(channel) !== undefined,
      ...attributes(channel, info),
    });
  }

  function listUsers(channel: string): Response {
    if (!isPresenceChannel(channel)) {
      throw new EventRejected(400, "Users can only be listed for presence channels");
    }
    return json({ users: registry.presence(channel).ids.map((id) => ({ id })) });
  }

  function route(
    request: Request,
    url: URL,
    rest: string[],
    body: string,
  ): Response {
    const method = request.method.toUpperCase();
    const [resource, encodedChannel, sub, ...extra] = rest;
    const parseBody = (): unknown => {
      try {
        return JSON.parse(body);
      } catch {
        throw new EventRejected(400, "Request body must be JSON");
      }
    };
    if (method === "POST" && resource === "events" && encodedChannel === undefined) {
      const parsed = parseBody();
      const events = parseEvent(parsed);
      const info = requestedInfo((parsed as Record<string, unknown>).info);
      const reply = info.size > 0 ? { channels: triggerReply([events], info) } : {};
      options.publish(events);
      return json(reply);
    }
    if (method === "POST" && resource === "batch_events" && encodedChannel === undefined) {
      const parsed = parseBody() as { batch: Array<Record<string, unknown>> };
      const batches = parseBatch(parsed);
      const infos = parsed.batch.map((item) => requestedInfo(item.info));
      const hasInfo = infos.some((info) => info.size > 0);
      const reply = hasInfo
        ? {
          batch: batches.map((events, index) => {
            const channel = events[0]?.channel ?? "";
            return attributes(channel, infos[index] ?? new Set());
          }),
        }
        : {};
      options.publish(batches.flat());
      return json(reply);
    }
    if (method === "GET" && resource === "channels" && extra.length === 0) {
      if (encodedChannel === undefined) return listChannels(url.searchParams);
      // Valid channel names contain no characters that need percent-encoding.
      const channel = validateChannelName(encodedChannel);
      if (sub === undefined) return showChannel(channel, url.searchParams);
      if (sub === "users") return listUsers(channel);
    }
    return text(`No route for ${method} ${url.pathname}`, 404);
  }

  return async (request) => {
    const url = new URL(request.url);
    const [empty, apps, appId, ...rest] = url.pathname.split("/");
    if (empty !== "" || apps !== "apps" || appId === undefined) {
      return text(`Not found: ${url.pathname}`, 404);
    }
    if (appId !== app.appId) return text(`Unknown app id ${appId}`, 404);
    const body = await request.text();
    const verdict = verifyRequestSignature(
      app,
      { method: request.method, path: url.pathname, params: url.searchParams, body },
      options.nowS?.(),
    );
    if (!verdict.ok) return text(verdict.message, 401);
    try {
      return route(request, url, rest, body);
    } catch (error) {
      if (error instanceof EventRejected) return text(error.message, error.status);
      throw error;
    }
  };
}
