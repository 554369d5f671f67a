// POST /pusher/auth: signs channel subscriptions. People (JWT) may watch private-sync-status and
// presence-agents; an agent (key) may join only its own private-agent-<id> and presence-agents.
// Presence carries only what the panel needs, which agents are online: every member sees every other
// member, so a person joins as an anonymous viewer of that one socket (`viewer:<socket id>`), never
// with their user id or role, and an agent key holder learns nothing about who is watching.
import { Hono } from "hono";
import { Channels } from "../../../protocol/src/index.ts";
import { agentKeyOf, authenticateUser, type UserRole } from "../../_shared/auth.ts";
import { mediaTypeOf, parseJsonText, readBodyText } from "../../_shared/body.ts";
import { BODY_LIMITS } from "../../_shared/body-limits.ts";
import { ApiError } from "../../_shared/errors.ts";
import type { SyncEnv } from "../context.ts";

export type ChannelCaller =
  | { kind: "user"; id: string; role: UserRole | null }
  | { kind: "agent"; id: string; name: string };

export type ChannelAccess =
  | { allowed: false; reason: string }
  | { allowed: true; presence?: { user_id: string; user_info: Record<string, unknown> } };

/** The presence identity of a person watching: tied to the socket, not to the account. */
export const viewerMemberId = (socketId: string) => `viewer:${socketId}`;

/** The whole channel policy in one pure function. */
export function channelAccess(
  caller: ChannelCaller,
  channel: string,
  socketId: string,
): ChannelAccess {
  if (caller.kind === "user") {
    if (caller.role === null) return { allowed: false, reason: "your account has no Puente role" };
    if (channel === Channels.syncStatus) return { allowed: true };
    if (channel === Channels.agentsPresence) {
      return {
        allowed: true,
        presence: { user_id: viewerMemberId(socketId), user_info: { kind: "viewer" } },
      };
    }
    return { allowed: false, reason: `people may not subscribe to ${channel}` };
  }
  if (channel === Channels.agent(caller.id)) return { allowed: true };
  if (channel === Channels.agentsPresence) {
    return {
      allowed: true,
      presence: { user_id: caller.id, user_info: { kind: "agent", name: caller.name } },
    };
  }
  return {
    allowed: false,
    reason: `an agent may subscribe only to ${
      Channels.agent(caller.id)
    } and ${Channels.agentsPresence}`,
  };
}

const SOCKET_ID = /^\d+\.\d+$/;
const CHANNEL = /^[A-Za-z0-9_\-=@,.;]{1,164}$/;

/** pusher-js sends a form (`socket_id=…&channel_name=…`); other clients may send JSON. */
async function readAuthRequest(request: Request, maxBytes: number) {
  const form = "application/x-www-form-urlencoded";
  let fields: Record<string, unknown>;
  if (mediaTypeOf(request) === form) {
    // Bounded like every other body: a form is read under the same limit, never whole into memory.
    fields = Object.fromEntries(new URLSearchParams(await readBodyText(request, maxBytes, form)));
  } else {
    const parsed = parseJsonText(await readBodyText(request, maxBytes));
    fields = typeof parsed === "object" && parsed !== null ? parsed as Record<string, unknown> : {};
  }
  const socketId = String(fields.socket_id ?? "");
  const channel = String(fields.channel_name ?? "");
  const issues = [
    ...(SOCKET_ID.test(socketId) ? [] : [{ path: "socket_id", message: "must look like 123.456" }]),
    ...(CHANNEL.test(channel)
      ? []
      : [{ path: "channel_name", message: "must be a Pusher channel name" }]),
  ];
  if (issues.length > 0) {
    throw new ApiError(422, "validation_failed", "socket_id and channel_name are required", issues);
  }
  return { socketId, channel, info: fields };
}

export const pusherAuth = new Hono<SyncEnv>().post("/pusher/auth", async (c) => {
  const { deps } = c.var;
  const key = agentKeyOf(c.req.raw);
  let caller: ChannelCaller;
  if (key) {
    const { agent } = await deps.db.authenticateAgent(key);
    caller = { kind: "agent", id: agent.agentId, name: agent.name };
  } else {
    const user = await authenticateUser(c.req.raw, deps.verifyJwt);
    // No channel is open to someone with no Puente role: refused before the body is read.
    if (user.role === null) throw new ApiError(403, "forbidden", "your account has no Puente role");
    caller = { kind: "user", id: user.id, role: user.role };
  }
  const { socketId, channel, info } = await readAuthRequest(c.req.raw, BODY_LIMITS.pusherAuth);
  const access = channelAccess(caller, channel, socketId);
  if (!access.allowed) throw new ApiError(403, "forbidden", access.reason);
  const presence = access.presence && caller.kind === "agent"
    ? {
      ...access.presence,
      user_info: {
        ...access.presence.user_info,
        hostname: String(info.hostname ?? "").slice(0, 255),
        version: String(info.version ?? "").slice(0, 64),
      },
    }
    : access.presence;
  return c.json(deps.authorizer.authorize(socketId, channel, presence));
});
