// The doorbell listener: keeps a Pusher connection, subscribes `private-agent-<agentId>`, joins
// `presence-agents`, and claims pending commands on every doorbell, on every (re)connect, once its
// channel is (re)subscribed, and every 30 s regardless (that periodic claim is also what starts a due schedule, which nothing rings for).
// Pusher carries no payload the agent trusts: commands come only from the claim. A subscription that
// fails (its authorization call met an outage, say) is tried again with backoff; pusher-js itself
// only subscribes again after a reconnect.
import Pusher from "pusher-js";
import { Channels, type ClaimedCommand, EventNames, parseClaimedParams } from "@puente/protocol";
import type { ChannelAuth } from "./sink/edge-client.ts";
import type { Logger } from "./status/log.ts";
import { AgentKeyInvalid } from "./errors/agent-key-invalid.ts";

export interface PusherSettings {
  key: string;
  cluster: string;
  /** A self-hosted Pusher-protocol server; null for Pusher's own cluster host. */
  host: string | null;
  port: number | null;
  useTLS: boolean;
}

export interface ListenerOptions {
  /** Null: no realtime, commands are only polled every `claimIntervalMs`. */
  pusher: PusherSettings | null;
  agentId: string | null;
  authorize: (socketId: string, channelName: string) => Promise<ChannelAuth>;
  claim: () => Promise<ClaimedCommand[]>;
  dispatch: (command: ClaimedCommand) => void;
  /**
   * A claimed command whose params the agent cannot read is never dispatched: it is marked rejected
   * with the reason (so the server never delivers it again) through this call.
   */
  reject: (command: ClaimedCommand, reason: string) => Promise<void>;
  /** Default 30 s (PUENTE_CLAIM_INTERVAL_SECONDS). */
  claimIntervalMs?: number;
  /** The number of commands one claim asks for; a full answer is followed by another claim. */
  claimLimit?: number;
  logger: Logger;
  /** The key was refused: the daemon stops, since nothing can work until it is replaced. */
  onFatal?: (error: Error) => void;
  /** First pause before a failed subscription is tried again; doubles up to 60 s. Default 2 s. */
  resubscribeDelayMs?: number;
}

export type ClaimReason = "doorbell" | "connected" | "subscribed" | "interval" | "startup";

export interface Listener {
  /** Claims now (coalesced with a claim already under way) and dispatches what it gets. */
  claimNow(reason: ClaimReason): Promise<void>;
  /** pusher-js's connection state, or "polling" without Pusher. */
  readonly connectionState: string;
  stop(): void;
}

/** pusher-js options for Pusher's cluster or a self-hosted server (REFERENCE: cluster stays required). */
export function pusherOptions(
  settings: PusherSettings,
  authorize: ListenerOptions["authorize"],
): ConstructorParameters<typeof Pusher>[1] {
  return {
    cluster: settings.cluster,
    ...(settings.host
      ? {
        wsHost: settings.host,
        wsPort: settings.port ?? (settings.useTLS ? 443 : 80),
        wssPort: settings.port ?? 443,
      }
      : {}),
    forceTLS: settings.useTLS,
    enabledTransports: ["ws", "wss"],
    disableStats: true,
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) => {
        authorize(socketId, channelName).then(
          (auth) => callback(null, auth),
          (error: Error) => callback(error, null),
        );
      },
    },
  };
}

/** Why a claimed command's params cannot be carried out, or null when they can. */
export function unreadableParams(command: ClaimedCommand): string | null {
  try {
    parseClaimedParams(command);
    return null;
  } catch (error) {
    const issues = (error as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
    return issues
      ? issues.map((issue) => `params.${issue.path.map(String).join(".")}: ${issue.message}`)
        .join("; ").slice(0, 500)
      : String(error).slice(0, 500);
  }
}

export function startListener(options: ListenerOptions): Listener {
  const { logger } = options;
  const limit = options.claimLimit ?? 10;
  let claiming: Promise<void> | null = null;
  let isClaimAgain = false;
  let isStopped = false;

  const claimOnce = async () => {
    for (;;) {
      isClaimAgain = false;
      const commands = await options.claim();
      for (const command of commands) {
        const problem = unreadableParams(command);
        if (problem === null) {
          options.dispatch(command);
          continue;
        }
        logger.error(`command ${command.id} rejected: ${problem}`);
        await options.reject(command, problem).catch((error: Error) =>
          logger.warn(`command ${command.id}: could not mark it rejected: ${error.message}`)
        );
      }
      if (commands.length < limit && !isClaimAgain) return;
    }
  };

  const claimNow = (reason: ClaimReason): Promise<void> => {
    if (isStopped) return Promise.resolve();
    if (claiming) {
      isClaimAgain = true;
      return claiming;
    }
    logger.debug(`claiming commands (${reason})`);
    claiming = claimOnce().catch((error: Error) => {
      if (error instanceof AgentKeyInvalid) options.onFatal?.(error);
      logger.warn(`claiming commands failed: ${error.message}`);
    }).finally(() => {
      claiming = null;
    });
    return claiming;
  };

  const timer = setInterval(() => void claimNow("interval"), options.claimIntervalMs ?? 30_000);
  let pusher: Pusher | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let reconnectAttempt = 0;
  const resubscribeTimers = new Map<string, ReturnType<typeof setTimeout>>();
  const resubscribeAttempts = new Map<string, number>();

  /** Schedules another subscribe of `channelName` after a failure, with backoff. */
  const resubscribeLater = (client: Pusher, channelName: string) => {
    if (isStopped || resubscribeTimers.has(channelName)) return;
    const attempt = resubscribeAttempts.get(channelName) ?? 0;
    resubscribeAttempts.set(channelName, attempt + 1);
    const delayMs = Math.min(60_000, (options.resubscribeDelayMs ?? 2000) * 2 ** attempt);
    logger.info(`pusher: subscribing ${channelName} again in ${Math.round(delayMs / 1000)} s`);
    resubscribeTimers.set(
      channelName,
      setTimeout(() => {
        resubscribeTimers.delete(channelName);
        // The same channel object comes back, its bindings kept; pusher-js subscribes it again.
        if (!isStopped) client.subscribe(channelName);
      }, delayMs),
    );
  };

  if (options.pusher && options.agentId) {
    const client = new Pusher(options.pusher.key, pusherOptions(options.pusher, options.authorize));
    pusher = client;
    client.connection.bind(
      "state_change",
      ({ previous, current }: { previous: string; current: string }) => {
        logger.info(`pusher: ${previous} → ${current}`);
        if (current === "connected") {
          reconnectAttempt = 0;
          void claimNow("connected");
        }
        // pusher-js retries "unavailable" itself; after a refusal it stays down, so retry with backoff.
        if ((current === "failed" || current === "disconnected") && !isStopped) {
          const delayMs = Math.min(60_000, 1000 * 2 ** reconnectAttempt++) *
            (0.5 + Math.random() / 2);
          reconnectTimer ??= setTimeout(() => {
            reconnectTimer = null;
            if (!isStopped) client.connect();
          }, delayMs);
        }
      },
    );
    client.connection.bind("error", (error: unknown) => {
      logger.warn(`pusher: connection error ${JSON.stringify(error).slice(0, 300)}`);
    });
    const agentChannel = client.subscribe(Channels.agent(options.agentId));
    agentChannel.bind(EventNames.commandAvailable, () => void claimNow("doorbell"));
    // The doorbell rings only once the channel is subscribed, an authorization round trip after the
    // connection: a command sent in between would otherwise wait for the periodic claim.
    agentChannel.bind("pusher:subscription_succeeded", () => void claimNow("subscribed"));
    for (const channel of [agentChannel, client.subscribe(Channels.agentsPresence)]) {
      channel.bind("pusher:subscription_succeeded", () => {
        resubscribeAttempts.delete(channel.name);
      });
      channel.bind("pusher:subscription_error", (error: unknown) => {
        logger.error(`pusher: cannot subscribe ${channel.name}: ${JSON.stringify(error)}`);
        resubscribeLater(client, channel.name);
      });
    }
  } else {
    logger.warn(
      options.pusher
        ? "PUENTE_AGENT_ID is not set: no realtime doorbell, commands are polled"
        : "Pusher is not configured: commands are polled",
    );
  }
  void claimNow("startup");

  return {
    claimNow,
    get connectionState() {
      return pusher ? pusher.connection.state : "polling";
    },
    stop() {
      isStopped = true;
      clearInterval(timer);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      for (const timer of resubscribeTimers.values()) clearTimeout(timer);
      pusher?.disconnect();
    },
  };
}
