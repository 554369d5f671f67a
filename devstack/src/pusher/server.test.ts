// End to end through the official clients only: the `pusher` server SDK and pusher-js (Node build).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import PusherServerSdk from "pusher";
import PusherClient from "pusher-js";
import type { Channel, PresenceChannel } from "pusher-js";
import { PusherServerConfigInvalid, startPusherServer } from "./server.ts";
import type { PusherServerHandle } from "./server.ts";

const app = { appId: "puente-test", key: "test-key", secret: "test-secret" };

let server: PusherServerHandle;
let sdk: PusherServerSdk;
const clients: PusherClient[] = [];
const children: Array<ReturnType<typeof Bun.spawn>> = [];

interface ClientOptions {
  key?: string;
  server?: PusherServerHandle;
  user?: { user_id: string; user_info?: Record<string, unknown> };
  /** Replaces the SDK's authorization, to present forged signatures. */
  forge?: (socketId: string, channelName: string) => { auth: string; channel_data?: string };
}

function newClient(options: ClientOptions = {}): PusherClient {
  const target = options.server ?? server;
  const signer = new PusherServerSdk({
    ...app,
    host: target.host,
    port: String(target.port),
    useTLS: false,
  });
  const client = new PusherClient(options.key ?? app.key, {
    cluster: "mt1",
    wsHost: target.host,
    wsPort: target.port,
    forceTLS: false,
    enabledTransports: ["ws"],
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) => {
        if (options.forge) return callback(null, options.forge(socketId, channelName));
        const auth = options.user
          ? signer.authorizeChannel(socketId, channelName, options.user)
          : signer.authorizeChannel(socketId, channelName);
        callback(null, auth);
      },
    },
  });
  clients.push(client);
  return client;
}

function waitFor<T>(
  label: string,
  register: (resolve: (value: T) => void) => void,
  ms = 5000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Timed out after ${ms}ms waiting for ${label}`)),
      ms,
    );
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

async function until(label: string, predicate: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${label}`);
    await Bun.sleep(10);
  }
}

function connected(client: PusherClient): Promise<string> {
  return waitFor("connection", (resolve) => {
    if (client.connection.state === "connected") return resolve(client.connection.socket_id);
    client.connection.bind("connected", () => resolve(client.connection.socket_id));
  });
}

function subscribed(channel: Channel): Promise<unknown> {
  return waitFor(`subscription to ${channel.name}`, (resolve) => {
    if (channel.subscribed) return resolve(undefined);
    channel.bind("pusher:subscription_succeeded", resolve);
  });
}

function nextEvent(channel: Channel, event: string, ms = 5000): Promise<unknown> {
  return waitFor(`${event} on ${channel.name}`, (resolve) => {
    const handler = (data: unknown) => {
      channel.unbind(event, handler);
      resolve(data);
    };
    channel.bind(event, handler);
  }, ms);
}

async function disconnect(client: PusherClient): Promise<void> {
  const before = server.stats().connections;
  client.disconnect();
  await until("the server to see the disconnect", () => server.stats().connections < before);
}

beforeAll(async () => {
  server = await startPusherServer({ ...app, activityTimeoutS: 1, pongTimeoutS: 1 });
  sdk = new PusherServerSdk({
    ...app,
    host: server.host,
    port: String(server.port),
    useTLS: false,
  });
});

afterAll(async () => {
  for (const client of clients) client.disconnect();
  // A failing or timed-out test may skip its own `finally`; never leave a frozen child behind.
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  await server?.stop();
});

describe("Pusher stand-in with the official clients", () => {
  test("connect, subscribe and receive a triggered event", async () => {
    const client = newClient();
    const socketId = await connected(client);
    expect(socketId).toMatch(/^\d+\.\d+$/);
    const channel = client.subscribe("public-news");
    await subscribed(channel);
    const received = nextEvent(channel, "story");
    const response = await sdk.trigger("public-news", "story", { title: "hola" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    expect(await received).toEqual({ title: "hola" });
    await disconnect(client);
  });

  test("unknown app key is refused with 4001", async () => {
    const refusedBefore = server.stats().connectionsRefused;
    const client = newClient({ key: "not-a-key" });
    const error = await waitFor<unknown>(
      "error",
      (resolve) => client.connection.bind("error", resolve),
    );
    expect(error).toMatchObject({ error: { type: "PusherError", data: { code: 4001 } } });
    await until("pusher-js to give up", () => client.connection.state === "disconnected");
    // 4001 is final: pusher-js must not come back.
    await Bun.sleep(200);
    expect(server.stats().connectionsRefused).toBe(refusedBefore + 1);
  });

  test("private channel: good auth subscribes, forged signatures get subscription_error", async () => {
    const good = newClient();
    const goodChannel = good.subscribe("private-sync-status");
    await subscribed(goodChannel);

    const signer = new PusherServerSdk({
      ...app,
      host: server.host,
      port: String(server.port),
      useTLS: false,
    });
    const wrongSecret = new PusherServerSdk({
      ...app,
      secret: "guessed",
      host: server.host,
      port: "1",
      useTLS: false,
    });
    const forgeries: Array<ClientOptions["forge"]> = [
      (socketId, channelName) => wrongSecret.authorizeChannel(socketId, channelName),
      (socketId) => signer.authorizeChannel(socketId, "private-agent-someone-else"),
    ];
    for (const forge of forgeries) {
      const forger = newClient({ forge });
      const channel = forger.subscribe("private-sync-status");
      const error = await nextEvent(channel, "pusher:subscription_error");
      expect(error).toMatchObject({ type: "AuthError", status: 401 });
      expect(channel.subscribed).toBe(false);
      await disconnect(forger);
    }
    const response = await sdk.get({
      path: "/channels/private-sync-status",
      params: { info: "subscription_count" },
    });
    expect(await response.json()).toEqual({ occupied: true, subscription_count: 1 });
    await disconnect(good);
  });

  test("presence: member_added once per user, member_removed after the user's last connection", async () => {
    const watcher = newClient({ user: { user_id: "staff-1", user_info: { role: "staff" } } });
    const watcherChannel = watcher.subscribe("presence-agents") as PresenceChannel;
    await subscribed(watcherChannel);
    const added: unknown[] = [];
    const removed: unknown[] = [];
    watcherChannel.bind("pusher:member_added", (member: unknown) => added.push(member));
    watcherChannel.bind("pusher:member_removed", (member: unknown) => removed.push(member));

    const agent = { user_id: "agent-7", user_info: { name: "Oficina" } };
    const first = newClient({ user: agent });
    const firstChannel = first.subscribe("presence-agents") as PresenceChannel;
    await subscribed(firstChannel);
    expect(firstChannel.members.count).toBe(2);
    expect(firstChannel.members.get("staff-1")).toEqual({ id: "staff-1", info: { role: "staff" } });
    await until("member_added", () => added.length === 1);
    expect(added[0]).toEqual({ id: "agent-7", info: { name: "Oficina" } });

    const second = newClient({ user: agent });
    await subscribed(second.subscribe("presence-agents"));
    const usersResponse = await sdk.get({ path: "/channels/presence-agents/users" });
    expect(await usersResponse.json()).toEqual({ users: [{ id: "staff-1" }, { id: "agent-7" }] });

    await disconnect(first);
    // A marker event sent after the server saw the close orders everything before it.
    const marker = nextEvent(watcherChannel, "marker");
    await sdk.trigger("presence-agents", "marker", {});
    await marker;
    expect(added).toHaveLength(1);
    expect(removed).toHaveLength(0);
    expect(watcherChannel.members.get("agent-7")).not.toBeNull();

    await disconnect(second);
    await until("member_removed", () => removed.length === 1);
    expect(removed[0]).toEqual({ id: "agent-7", info: { name: "Oficina" } });
    await disconnect(watcher);
  });

  test("HTTP API with a wrong secret gets 401 with a clear message", async () => {
    const impostor = new PusherServerSdk({
      ...app,
      secret: "wrong",
      host: server.host,
      port: String(server.port),
      useTLS: false,
    });
    const failure = await impostor.trigger("public-news", "story", {}).then(
      () => undefined,
      (error: { status?: number; body?: string }) => error,
    );
    expect(failure?.status).toBe(401);
    expect(failure?.body).toContain("Invalid signature");
    const wrongApp = new PusherServerSdk({
      ...app,
      appId: "other",
      host: server.host,
      port: String(server.port),
      useTLS: false,
    });
    const notFound = await wrongApp.get({ path: "/channels" }).then(
      () => undefined,
      (error: { status?: number }) => error,
    );
    expect(notFound?.status).toBe(404);
  });

  test("channels listing with prefix filter and user_count", async () => {
    const a = newClient({ user: { user_id: "u1" } });
    await subscribed(a.subscribe("presence-room"));
    await subscribed(a.subscribe("public-lobby"));
    const all = await sdk.get({ path: "/channels" });
    expect(await all.json()).toEqual({ channels: { "presence-room": {}, "public-lobby": {} } });
    const presence = await sdk.get({
      path: "/channels",
      params: { filter_by_prefix: "presence-", info: "user_count" },
    });
    expect(await presence.json()).toEqual({ channels: { "presence-room": { user_count: 1 } } });
    await disconnect(a);
    const empty = await sdk.get({ path: "/channels" });
    expect(await empty.json()).toEqual({ channels: {} });
  });

  test("batch events reach their channels", async () => {
    const client = newClient();
    const one = client.subscribe("private-agent-1");
    const two = client.subscribe("private-agent-2");
    await Promise.all([subscribed(one), subscribed(two)]);
    const receivedOne = nextEvent(one, "command.available");
    const receivedTwo = nextEvent(two, "command.available");
    const response = await sdk.triggerBatch([
      { channel: "private-agent-1", name: "command.available", data: { n: 1 } },
      { channel: "private-agent-2", name: "command.available", data: { n: 2 } },
    ]);
    expect(await response.json()).toEqual({});
    expect(await receivedOne).toEqual({ n: 1 });
    expect(await receivedTwo).toEqual({ n: 2 });
    await disconnect(client);
  });

  test("socket_id excludes the triggering connection", async () => {
    const sender = newClient();
    const other = newClient();
    const senderChannel = sender.subscribe("public-x");
    const otherChannel = other.subscribe("public-x");
    await Promise.all([subscribed(senderChannel), subscribed(otherChannel)]);
    const senderGot: unknown[] = [];
    senderChannel.bind("echo", (data: unknown) => senderGot.push(data));
    const otherGot = nextEvent(otherChannel, "echo");
    await sdk.trigger("public-x", "echo", { n: 1 }, { socket_id: sender.connection.socket_id });
    expect(await otherGot).toEqual({ n: 1 });
    const marker = nextEvent(senderChannel, "marker");
    await sdk.trigger("public-x", "marker", {});
    await marker;
    expect(senderGot).toEqual([]);
    await Promise.all([disconnect(sender), disconnect(other)]);
  });

  test("oversized data is refused with 413", async () => {
    const failure = await sdk.trigger("public-x", "big", "x".repeat(10 * 1024 + 10)).then(
      () => undefined,
      (error: { status?: number }) => error,
    );
    expect(failure?.status).toBe(413);
  });

  test("dropAll: pusher-js reconnects and resubscribes by itself", async () => {
    const client = newClient();
    const channel = client.subscribe("private-sync-status");
    await subscribed(channel);
    const firstSocket = client.connection.socket_id;
    let subscriptions = 1;
    channel.bind("pusher:subscription_succeeded", () => subscriptions++);
    const open = server.stats().connections;
    expect(open).toBeGreaterThanOrEqual(1);
    expect(server.dropAll()).toBe(open);
    await until("resubscription", () => subscriptions === 2);
    expect(client.connection.socket_id).not.toBe(firstSocket);
    const received = nextEvent(channel, "run.progress");
    await sdk.trigger("private-sync-status", "run.progress", { pct: 50 });
    expect(await received).toEqual({ pct: 50 });
    expect(server.stats().connectionsDropped).toBeGreaterThanOrEqual(1);
    await disconnect(client);
  });

  test("refuseFor: connections are refused during the window, then pusher-js gets in", async () => {
    const refusedBefore = server.stats().connectionsRefused;
    const windowMs = 700;
    const startedAt = Date.now();
    server.refuseFor(windowMs);
    const client = newClient();
    await connected(client);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(windowMs);
    expect(server.stats().connectionsRefused).toBeGreaterThan(refusedBefore);
    await disconnect(client);
  }, 15_000);

  test("setDeliveryDelay delays triggered events", async () => {
    const client = newClient();
    const channel = client.subscribe("public-slow");
    await subscribed(channel);
    server.setDeliveryDelay(300);
    try {
      const startedAt = Date.now();
      const received = nextEvent(channel, "late");
      const response = await sdk.trigger("public-slow", "late", {});
      expect(response.status).toBe(200);
      expect(Date.now() - startedAt).toBeLessThan(300);
      await received;
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(300);
    } finally {
      server.setDeliveryDelay(0);
    }
    await disconnect(client);
  });

  test("a frozen client is pinged, closed and removed from presence", async () => {
    const watcher = newClient({ user: { user_id: "staff-2" } });
    const watcherChannel = watcher.subscribe("presence-frozen");
    await subscribed(watcherChannel);
    const watcherSocketId = watcher.connection.socket_id;
    const memberAdded = nextEvent(watcherChannel, "pusher:member_added");
    const child = Bun.spawn([
      process.execPath,
      `${import.meta.dir}/fixtures/presence-client.ts`,
      server.host,
      String(server.port),
      app.appId,
      app.key,
      app.secret,
      "presence-frozen",
      "laptop-1",
    ], { stdout: "pipe", stderr: "inherit" });
    children.push(child);
    try {
      const reader = child.stdout.getReader();
      const firstChunk = await reader.read();
      reader.releaseLock();
      expect(new TextDecoder().decode(firstChunk.value)).toStartWith("subscribed");
      expect(await memberAdded).toEqual({ id: "laptop-1", info: undefined });
      const removed = nextEvent(watcherChannel, "pusher:member_removed", 4000);
      const timeoutsBefore = server.stats().connectionsTimedOut;
      const frozenAt = Date.now();
      process.kill(child.pid, "SIGSTOP");
      expect(await removed).toMatchObject({ id: "laptop-1" });
      // One activity timeout of silence, then one more waiting for the pong (1 s each here).
      expect(Date.now() - frozenAt).toBeGreaterThanOrEqual(1500);
      // The live watcher answered the same pings and kept its original connection throughout.
      expect(watcher.connection.state).toBe("connected");
      expect(watcher.connection.socket_id).toBe(watcherSocketId);
      expect(server.stats().connectionsTimedOut).toBe(timeoutsBefore + 1);
    } finally {
      child.kill("SIGKILL");
      await child.exited;
    }
    await disconnect(watcher);
  }, 15_000);

  test("invalid configuration is refused before listening", async () => {
    await expect(startPusherServer({ ...app, activityTimeoutS: 0 })).rejects.toBeInstanceOf(
      PusherServerConfigInvalid,
    );
    await expect(startPusherServer({ ...app, key: "" })).rejects.toBeInstanceOf(
      PusherServerConfigInvalid,
    );
  });
});
