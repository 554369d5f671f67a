import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ClaimedCommand } from "@puente/protocol";
import { startListener } from "./listener.ts";
import { Logger } from "./status/log.ts";
import { AgentKeyInvalid } from "./errors/agent-key-invalid.ts";
import { type FakePusher, startFakePusher } from "../test/fake-pusher.ts";
import { waitFor } from "../test/wait-for.ts";

const AGENT = "6f1c2d7e-4b0a-4c1e-9a55-1d2b3c4d5e6f";
let pusher: FakePusher;
beforeAll(() => {
  pusher = startFakePusher();
});
afterAll(() => pusher.stop());

const command = (): ClaimedCommand => ({
  id: crypto.randomUUID(),
  requestId: crypto.randomUUID(),
  agentId: AGENT,
  source: "ferrawin",
  action: "start",
  params: { mode: "incremental" },
  scheduled: false,
  createdAt: new Date().toISOString(),
  expiresAt: new Date().toISOString(),
});

function listen(
  claimIntervalMs = 60_000,
  claim?: () => Promise<ClaimedCommand[]>,
  privateAuthorized: Promise<void> = Promise.resolve(),
) {
  const claims: string[] = [];
  const dispatched: ClaimedCommand[] = [];
  const pending: ClaimedCommand[] = [];
  const authorized: string[] = [];
  const listener = startListener({
    pusher: { key: "app-key", cluster: "mt1", host: "127.0.0.1", port: pusher.port, useTLS: false },
    agentId: AGENT,
    authorize: async (socketId, channel) => {
      if (channel.startsWith("private-")) await privateAuthorized;
      authorized.push(channel);
      return await Promise.resolve({
        auth: `app-key:sig-${socketId}`,
        ...(channel.startsWith("presence-")
          ? { channel_data: JSON.stringify({ user_id: AGENT, user_info: { name: "agent" } }) }
          : {}),
      });
    },
    claim: claim ?? (() => {
      claims.push("claim");
      return Promise.resolve(pending.splice(0));
    }),
    dispatch: (c) => dispatched.push(c),
    reject: () => Promise.resolve(),
    claimIntervalMs,
    logger: new Logger({ dir: null }),
  });
  return { listener, claims, dispatched, pending, authorized };
}

describe("listener", () => {
  test("subscribes its private channel and joins presence through the edge's authorization", async () => {
    const { listener, authorized } = listen();
    try {
      await waitFor(() => pusher.subscriptions.length >= 2);
      expect(authorized.sort()).toEqual([`presence-agents`, `private-agent-${AGENT}`]);
      const presence = pusher.subscriptions.find((s) => s.channel === "presence-agents")!;
      expect(presence.auth).toMatch(/^app-key:sig-\d+\.\d+$/);
      expect(JSON.parse(presence.channelData!).user_id).toBe(AGENT);
    } finally {
      listener.stop();
    }
  });

  test("the doorbell claims and dispatches; Pusher's payload is not trusted as a command", async () => {
    const { listener, claims, dispatched, pending } = listen();
    try {
      await waitFor(() => pusher.subscribers(`private-agent-${AGENT}`) === 1 && claims.length >= 2);
      const before = claims.length;
      const waiting = command();
      pending.push(waiting);
      pusher.send(`private-agent-${AGENT}`, "command.available", {
        commandId: crypto.randomUUID(),
      });
      await waitFor(() => dispatched.length === 1);
      expect(dispatched[0]!.id).toBe(waiting.id);
      expect(claims.length).toBeGreaterThan(before);
    } finally {
      listener.stop();
    }
  });

  test("a command sent while its channel was still subscribing is claimed once it is subscribed", async () => {
    let authorize!: () => void;
    const { listener, claims, dispatched, pending } = listen(
      60_000,
      undefined,
      new Promise<void>((resolve) => (authorize = resolve)),
    );
    try {
      await waitFor(() => listener.connectionState === "connected" && claims.length >= 1);
      await Bun.sleep(100);
      // Queued after the startup and connection claims, before the doorbell could ring for it.
      const waiting = command();
      pending.push(waiting);
      expect(pusher.subscribers(`private-agent-${AGENT}`)).toBe(0);
      authorize();
      await waitFor(() => dispatched.length === 1, 5_000);
      expect(dispatched).toEqual([waiting]);
    } finally {
      listener.stop();
    }
  });

  test("claims again after the connection drops and comes back", async () => {
    const { listener, claims, dispatched, pending } = listen();
    try {
      await waitFor(() => listener.connectionState === "connected");
      const connectionsBefore = pusher.connections;
      const claimsBefore = claims.length;
      pending.push(command());
      pusher.dropAll(4200);
      await waitFor(() => pusher.connections > connectionsBefore && dispatched.length === 1);
      expect(claims.length).toBeGreaterThan(claimsBefore);
    } finally {
      listener.stop();
    }
  });

  test("claims on a timer regardless of Pusher", async () => {
    const { listener, claims } = listen(100);
    try {
      await Bun.sleep(500);
      expect(claims.length).toBeGreaterThanOrEqual(3);
    } finally {
      listener.stop();
    }
  });

  test("a full claim is followed by another; a refused key is fatal", async () => {
    let calls = 0;
    const fatal: Error[] = [];
    const listener = startListener({
      pusher: null,
      agentId: null,
      authorize: () => Promise.reject(new Error("unused")),
      claim: () => {
        calls++;
        if (calls === 1) return Promise.resolve(Array.from({ length: 10 }, command));
        if (calls === 2) return Promise.resolve([command()]);
        return Promise.reject(new AgentKeyInvalid());
      },
      dispatch: () => undefined,
      reject: () => Promise.resolve(),
      claimIntervalMs: 60_000,
      logger: new Logger({ dir: null }),
      onFatal: (e) => fatal.push(e),
    });
    try {
      await waitFor(() => calls === 2);
      await listener.claimNow("interval");
      expect(fatal[0]).toBeInstanceOf(AgentKeyInvalid);
      expect(listener.connectionState).toBe("polling");
    } finally {
      listener.stop();
    }
  });

  test("a command whose params the agent cannot read is rejected once with its reason, never dispatched", async () => {
    const bad = { ...command(), params: { mode: "one", code: "no-such-code" } };
    const good = command();
    const rejected: [string, string][] = [];
    const dispatched: string[] = [];
    let calls = 0;
    const listener = startListener({
      pusher: null,
      agentId: null,
      authorize: () => Promise.reject(new Error("unused")),
      claim: () => Promise.resolve(calls++ === 0 ? [bad, good] : []),
      dispatch: (c) => dispatched.push(c.id),
      reject: (c, reason) => {
        rejected.push([c.id, reason]);
        return Promise.resolve();
      },
      claimIntervalMs: 60_000,
      logger: new Logger({ dir: null }),
    });
    try {
      await waitFor(() => dispatched.length === 1);
      await listener.claimNow("interval");
      expect(dispatched).toEqual([good.id]);
      expect(rejected.length).toBe(1);
      expect(rejected[0]![0]).toBe(bad.id);
      expect(rejected[0]![1]).toContain("params.code");
    } finally {
      listener.stop();
    }
  });

  test("a subscription whose authorization failed is tried again, and then succeeds", async () => {
    const before = pusher.subscriptions.length;
    let refusals = 2;
    const listener = startListener({
      pusher: {
        key: "app-key",
        cluster: "mt1",
        host: "127.0.0.1",
        port: pusher.port,
        useTLS: false,
      },
      agentId: AGENT,
      authorize: (socketId, channel) => {
        if (channel.startsWith("private-") && refusals-- > 0) {
          return Promise.reject(new Error("the Puente API did not answer pusher/auth"));
        }
        return Promise.resolve({
          auth: `app-key:sig-${socketId}`,
          ...(channel.startsWith("presence-")
            ? { channel_data: JSON.stringify({ user_id: AGENT, user_info: {} }) }
            : {}),
        });
      },
      claim: () => Promise.resolve([]),
      dispatch: () => {},
      reject: () => Promise.resolve(),
      claimIntervalMs: 60_000,
      resubscribeDelayMs: 50,
      logger: new Logger({ dir: null }),
    });
    try {
      await waitFor(() =>
        pusher.subscriptions.slice(before).some((s) => s.channel === `private-agent-${AGENT}`)
      );
      expect(refusals).toBe(-1);
      expect(pusher.subscribers(`private-agent-${AGENT}`)).toBeGreaterThanOrEqual(1);
    } finally {
      listener.stop();
    }
  });
});
