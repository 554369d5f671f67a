// Unit tests for channel subscription and presence membership bookkeeping.
import { describe, expect, test } from "bun:test";
import { ChannelRegistry } from "./channels.ts";

describe("ChannelRegistry", () => {
  test("tracks subscribers and forgets empty channels", () => {
    const registry = new ChannelRegistry();
    expect(registry.join("public", "1.1")).toEqual({ isNewSubscription: true });
    expect(registry.join("public", "1.1")).toEqual({ isNewSubscription: false });
    registry.join("public", "2.2");
    expect(registry.subscribers("public").sort()).toEqual(["1.1", "2.2"]);
    expect(registry.leave("public", "1.1")).toEqual({ channel: "public" });
    expect(registry.leave("public", "1.1")).toBeUndefined();
    expect(registry.occupied()).toEqual([{ name: "public", subscriptionCount: 1 }]);
    registry.leave("public", "2.2");
    expect(registry.occupied()).toEqual([]);
    expect(registry.channelCount).toBe(0);
  });

  test("presence reports a user added once and removed only with the last connection", () => {
    const registry = new ChannelRegistry();
    const alice = { userId: "alice", userInfo: { name: "Alice" } };
    expect(registry.join("presence-x", "1.1", alice).memberAdded).toEqual(alice);
    expect(registry.join("presence-x", "1.2", alice).memberAdded).toBeUndefined();
    registry.join("presence-x", "2.1", { userId: "bob", userInfo: null });
    expect(registry.presence("presence-x")).toEqual({
      ids: ["alice", "bob"],
      hash: { alice: { name: "Alice" }, bob: null },
      count: 2,
    });
    expect(registry.summary("presence-x")).toEqual({
      name: "presence-x",
      subscriptionCount: 3,
      userCount: 2,
    });
    expect(registry.leave("presence-x", "1.1")?.memberRemovedUserId).toBeUndefined();
    expect(registry.leave("presence-x", "1.2")?.memberRemovedUserId).toBe("alice");
    expect(registry.presence("presence-x").ids).toEqual(["bob"]);
  });

  test("leaveAll removes a closed socket everywhere", () => {
    const registry = new ChannelRegistry();
    registry.join("a", "1.1");
    registry.join("presence-b", "1.1", { userId: "u", userInfo: {} });
    registry.join("c", "2.2");
    expect(registry.leaveAll("1.1")).toEqual([
      { channel: "a" },
      { channel: "presence-b", memberRemovedUserId: "u" },
    ]);
    expect(registry.occupied().map((c) => c.name)).toEqual(["c"]);
    expect(registry.occupied("presence-")).toEqual([]);
  });
});
