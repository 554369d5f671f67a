import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { rpcOver } from "./db.ts";
import {
  type AuthAdmin,
  type AuthAdminResult,
  authAdminResult,
  openPortalAccounts,
  type PortalUser,
  portalUserMetadata,
} from "./portal-accounts.ts";

const RUN_ID = "3f1e2d3c-4b5a-4697-8877-665544332211";

/** A database that answers `claimed` to the claim and echoes counts from the outcomes it settles. */
function fakeRpc(claimed: { customerId: string; email: string; authUserId: string | null }[]) {
  const calls: { fn: string; args: Record<string, unknown> }[] = [];
  const rpc = rpcOver((fn, args) => {
    calls.push({ fn, args: JSON.parse(JSON.stringify(args)) });
    if (fn === "claim_portal_accounts") {
      return Promise.resolve({ data: claimed, error: null, status: 200 });
    }
    const outcomes = args.p_outcomes as { status: string }[];
    const n = (status: string) => outcomes.filter((o) => o.status === status).length;
    return Promise.resolve({
      data: {
        invited: n("invited"),
        emailTaken: n("email_taken"),
        sharedEmail: n("shared_email"),
        refused: n("refused"),
        pending: n("pending"),
      },
      error: null,
      status: 200,
    });
  });
  return { rpc, calls };
}

/** GoTrue as a script: what each email gets from createUser and from invite. */
function fakeAdmin(
  creates: Record<string, AuthAdminResult> = {},
  invites: Record<string, AuthAdminResult> = {},
) {
  const created: PortalUser[] = [];
  const invited: string[] = [];
  const admin: AuthAdmin = {
    createUser(user) {
      created.push(user);
      return Promise.resolve(creates[user.email] ?? { kind: "done", userId: `u-${user.email}` });
    },
    invite(email) {
      invited.push(email);
      return Promise.resolve(invites[email] ?? { kind: "done", userId: `u-${email}` });
    },
  };
  return { admin, created, invited };
}

Deno.test("a portal user is a customer, carries no password and no must-change flag", () => {
  assertEquals(portalUserMetadata("c1"), { app_metadata: { role: "customer", customer_id: "c1" } });
});

Deno.test("one invite per email; taken, refused and unreachable are told apart; no password anywhere", async () => {
  const { rpc, calls } = fakeRpc([
    { customerId: "c1", email: "ana@example.com", authUserId: null },
    { customerId: "c2", email: "familia@example.com", authUserId: null },
    { customerId: "c3", email: "familia@example.com", authUserId: null },
    { customerId: "c4", email: "staff@example.com", authUserId: null },
    { customerId: "c5", email: "malo@example", authUserId: null },
    { customerId: "c6", email: "luego@example.com", authUserId: null },
    { customerId: "c7", email: "sinmail@example.com", authUserId: null },
    { customerId: "c8", email: "antes@example.com", authUserId: "u-antes" },
  ]);
  const { admin, created, invited } = fakeAdmin({
    "staff@example.com": { kind: "email_taken" },
    "malo@example": { kind: "refused", detail: "validation_failed: invalid format" },
    "luego@example.com": { kind: "unavailable", detail: "HTTP 503: down" },
  }, { "sinmail@example.com": { kind: "unavailable", detail: "HTTP 500: smtp" } });
  const counts = await openPortalAccounts({
    rpc,
    admin,
    agentKey: "agent-key-1",
    runId: RUN_ID,
    wisproIds: ["w1", "w2"],
  });
  assertEquals(counts, { invited: 3, emailTaken: 1, sharedEmail: 1, refused: 1, pending: 2 });
  assertEquals(created.map((u) => u.email).toSorted(), [
    "ana@example.com",
    "familia@example.com",
    "luego@example.com",
    "malo@example",
    "sinmail@example.com",
    "staff@example.com",
  ]);
  // An existing account (email_taken) gets no invite; a user made by an earlier sync gets only its invite.
  assertEquals(invited.toSorted(), [
    "ana@example.com",
    "antes@example.com",
    "familia@example.com",
    "sinmail@example.com",
  ]);
  assertEquals(calls[1]!.args.p_outcomes, [
    { customer_id: "c1", status: "invited", user_id: "u-ana@example.com" },
    { customer_id: "c2", status: "invited", user_id: "u-familia@example.com" },
    { customer_id: "c3", status: "shared_email" },
    { customer_id: "c4", status: "email_taken" },
    { customer_id: "c5", status: "refused", detail: "validation_failed: invalid format" },
    { customer_id: "c6", status: "pending", detail: "HTTP 503: down" },
    {
      customer_id: "c7",
      status: "pending",
      user_id: "u-sinmail@example.com",
      detail: "HTTP 500: smtp",
    },
    { customer_id: "c8", status: "invited", user_id: "u-antes" },
  ]);
  assertEquals(JSON.stringify(created).includes("password"), false);
});

Deno.test("nothing claimed: no Auth call and no settle", async () => {
  const { rpc, calls } = fakeRpc([]);
  const { admin, created } = fakeAdmin();
  const counts = await openPortalAccounts({
    rpc,
    admin,
    agentKey: "k",
    runId: RUN_ID,
    wisproIds: ["w1"],
  });
  assertEquals(counts.invited, 0);
  assertEquals([calls.map((c) => c.fn), created.length], [["claim_portal_accounts"], 0]);
  const none = await openPortalAccounts({
    rpc,
    admin,
    agentKey: "k",
    runId: RUN_ID,
    wisproIds: [],
  });
  assertEquals([none.invited, calls.length], [0, 1]);
});

Deno.test("GoTrue's answers as supabase-js reports them", () => {
  assertEquals(authAdminResult({ data: { user: { id: "u1" } }, error: null }), {
    kind: "done",
    userId: "u1",
  });
  assertEquals(
    authAdminResult({
      data: { user: null },
      error: { status: 422, code: "email_exists", message: "taken" },
    }),
    { kind: "email_taken" },
  );
  assertEquals(
    authAdminResult({
      data: { user: null },
      error: { status: 400, code: "validation_failed", message: "bad email" },
    }),
    { kind: "refused", detail: "validation_failed: bad email" },
  );
  assertEquals(
    authAdminResult({ data: { user: null }, error: { status: 503, message: "down" } }),
    { kind: "unavailable", detail: "HTTP 503: down" },
  );
  assertEquals(
    authAdminResult({ data: { user: null }, error: { status: 0, message: "fetch failed" } }).kind,
    "unavailable",
  );
});
