// Issue 20, finding 7: presence-agents showed every admin's and staff member's user id and role to
// every member, an agent key holder included. Now a person joins as an anonymous viewer of their
// socket: an agent sees which sockets watch, never who.
import { describe, expect, test } from "bun:test";
import { channelAuth, RawPusherClient, useStackWithPeople } from "./support.ts";

const env = useStackWithPeople();

/** The `sub` and role a user token carries. */
function identity(token: string): { sub: string; role: string } {
  const claims = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
  return { sub: claims.sub, role: claims.app_metadata.role };
}

async function join(caller: { token?: string; agentKey?: string }) {
  const client = await RawPusherClient.connect(env.stack.info);
  const signed = await channelAuth(env.stack.info, caller, client.socketId, "presence-agents");
  expect(signed.status).toBe(200);
  expect(await client.subscribe("presence-agents", signed.auth, signed.channelData)).toBe(true);
  return { client, channelData: signed.channelData! };
}

describe("presence-agents", () => {
  test("an agent key holder learns no user id or role of the people watching", async () => {
    const admin = await join({ token: env.people.admin });
    const staff = await join({ token: env.people.staff });
    const agent = await join({ agentKey: env.stack.info.agent.key });
    try {
      await Bun.sleep(300);
      const seenByAgent = agent.client.received.join("\n");
      const secrets = [identity(env.people.admin), identity(env.people.staff)];
      for (const { sub, role } of secrets) {
        expect(seenByAgent.includes(sub)).toBe(false);
        expect(seenByAgent).not.toMatch(new RegExp(`"role":\\s*"${role}"`));
      }
      // What a person's membership carries: the socket, nothing about the account.
      for (const person of [admin, staff]) {
        expect(JSON.parse(person.channelData)).toEqual({
          user_id: `viewer:${person.client.socketId}`,
          user_info: { kind: "viewer" },
        });
      }
      // The member list the agent got names the viewers by socket only.
      const snapshot = agent.client.received.find((r) =>
        r.includes("pusher_internal:subscription_succeeded")
      )!;
      const ids = JSON.parse(JSON.parse(snapshot).data).presence.ids as string[];
      expect(ids).toContain(`viewer:${admin.client.socketId}`);
      expect(ids).toContain(env.stack.info.agent.id);
      expect(ids.every((id) => id === env.stack.info.agent.id || id.startsWith("viewer:"))).toBe(
        true,
      );

      // And people still see which agents are online (what the panel needs).
      const added = await admin.client.next(
        (f) =>
          f.event === "pusher_internal:member_added" &&
          String(f.data).includes(env.stack.info.agent.id),
        2000,
      );
      expect(added).not.toBeNull();
    } finally {
      for (const member of [admin, staff, agent]) member.client.close();
    }
  }, 60_000);
});
