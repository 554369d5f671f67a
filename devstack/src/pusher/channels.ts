// Who is subscribed to which channel, and presence membership: a user is a member while at
// least one of their connections is subscribed, so joins and leaves are reported once per user.

export interface PresenceMember {
  userId: string;
  userInfo: unknown;
}

export interface PresenceSnapshot {
  ids: string[];
  hash: Record<string, unknown>;
  count: number;
}

export interface ChannelSummary {
  name: string;
  subscriptionCount: number;
  /** Only for presence channels. */
  userCount?: number;
}

export interface JoinResult {
  /** False when this socket was already subscribed. */
  isNewSubscription: boolean;
  /** Set only when this was the user's first connection on a presence channel. */
  memberAdded?: PresenceMember;
}

export interface LeaveResult {
  channel: string;
  /** Set only when the user's last connection on a presence channel left. */
  memberRemovedUserId?: string;
}

interface PresenceUser {
  userInfo: unknown;
  socketIds: Set<string>;
}

interface ChannelState {
  /** socket id → presence user id (undefined on non-presence channels). */
  sockets: Map<string, string | undefined>;
  users: Map<string, PresenceUser>;
}

export function isPresenceChannel(name: string): boolean {
  return name.startsWith("presence-");
}

export function isPrivateChannel(name: string): boolean {
  return name.startsWith("private-");
}

export class ChannelRegistry {
  private readonly channels = new Map<string, ChannelState>();
  private readonly socketChannels = new Map<string, Set<string>>();

  join(channel: string, socketId: string, member?: PresenceMember): JoinResult {
    let state = this.channels.get(channel);
    if (state === undefined) {
      state = { sockets: new Map(), users: new Map() };
      this.channels.set(channel, state);
    }
    if (state.sockets.has(socketId)) return { isNewSubscription: false };
    state.sockets.set(socketId, member?.userId);
    let joined = this.socketChannels.get(socketId);
    if (joined === undefined) {
      joined = new Set();
      this.socketChannels.set(socketId, joined);
    }
    joined.add(channel);
    if (member === undefined) return { isNewSubscription: true };
    const user = state.users.get(member.userId);
    if (user !== undefined) {
      user.socketIds.add(socketId);
      return { isNewSubscription: true };
    }
    state.users.set(member.userId, { userInfo: member.userInfo, socketIds: new Set([socketId]) });
    return { isNewSubscription: true, memberAdded: member };
  }

  /** Returns undefined when the socket was not subscribed to the channel. */
  leave(channel: string, socketId: string): LeaveResult | undefined {
    const state = this.channels.get(channel);
    if (state === undefined || !state.sockets.has(socketId)) return undefined;
    const userId = state.sockets.get(socketId);
    state.sockets.delete(socketId);
    const joined = this.socketChannels.get(socketId);
    joined?.delete(channel);
    if (joined?.size === 0) this.socketChannels.delete(socketId);
    const result: LeaveResult = { channel };
    if (userId !== undefined) {
      const user = state.users.get(userId);
      user?.socketIds.delete(socketId);
      if (user?.socketIds.size === 0) {
        state.users.delete(userId);
        result.memberRemovedUserId = userId;
      }
    }
    if (state.sockets.size === 0) this.channels.delete(channel);
    return result;
  }

  leaveAll(socketId: string): LeaveResult[] {
    const joined = [...(this.socketChannels.get(socketId) ?? [])];
    return joined.flatMap((channel) => this.leave(channel, socketId) ?? []);
  }

  subscribers(channel: string): string[] {
    return [...(this.channels.get(channel)?.sockets.keys() ?? [])];
  }

  isSubscribed(channel: string, socketId: string): boolean {
    return this.channels.get(channel)?.sockets.has(socketId) ?? false;
  }

  presence(channel: string): PresenceSnapshot {
    const users = this.channels.get(channel)?.users ?? new Map<string, PresenceUser>();
    const hash: Record<string, unknown> = {};
    for (const [userId, user] of users) hash[userId] = user.userInfo;
    return { ids: [...users.keys()], hash, count: users.size };
  }

  summary(channel: string): ChannelSummary | undefined {
    const state = this.channels.get(channel);
    if (state === undefined) return undefined;
    const summary: ChannelSummary = { name: channel, subscriptionCount: state.sockets.size };
    if (isPresenceChannel(channel)) summary.userCount = state.users.size;
    return summary;
  }

  /** Occupied channels, optionally only those whose name starts with `prefix`. */
  occupied(prefix = ""): ChannelSummary[] {
    return [...this.channels.keys()]
      .filter((name) => name.startsWith(prefix))
      .sort()
      .flatMap((name) => this.summary(name) ?? []);
  }

  get channelCount(): number {
    return this.channels.size;
  }
}
