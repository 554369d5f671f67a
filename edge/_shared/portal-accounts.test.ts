import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { rpcOver } from "./db.ts";
import {
  type AuthAdmin,
  createUserResult,
  initialPassword,
  openPortalAccounts,
  type PortalUser,
} from "./portal-accounts.ts";

const RUN_ID = "3f1e2d3c-4b5a-4697-8877-665544332211";

/** A database that answers `claimed` to the claim and echoes counts from the outcomes it settles. */
function fakeRpc(claimed: { customerId: string; email: string; idNumber: string }[]) {
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
        created: n("created"),
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

/** GoTrue as a script: what each email gets. */
function fakeAdmin(answers: Record<string, Awaited<ReturnType<AuthAdmin["createUser"]>>>) {
  const created: PortalUser[] = [];
  const admin: AuthAdmin = {
    createUser(user) {
      created.push(user);
      return Promise.resolve(answers[user.email] ?? { kind: "created", userId: `u-${user.email}` });
    },
  };
  return { admin, created };
}

Deno.test("the first password is the id number's digits", () => {
  assertEquals(initialPassword("V-12345678"), "12345678");
  assertEquals(initialPassword("E-84.123.456"), "84123456");
});

Deno.test("one account per email; taken, refused and unreachable are told apart", async () => {
  const { rpc, calls } = fakeRpc([
    { customerId: "c1", email: "ana@example.com", idNumber: "V-12345678" },
    { customerId: "c2", email: "familia@example.com", idNumber: "V-9111222" },
    { customerId: "c3", email: "familia@example.com", idNumber: "V-9111333" },
    { customerId: "c4", email: "staff@example.com", idNumber: "V-7000000" },
    { customerId: "c5", email: "corto@example.com", idNumber: "V-123" },
    { customerId: "c6", email: "luego@example.com", idNumber: "V-6000000" },
  ]);
  const { admin, created } = fakeAdmin({
    "staff@example.com": { kind: "email_taken" },
    "corto@example.com": { kind: "refused", detail: "weak_password: too short" },
    "luego@example.com": { kind: "unavailable", detail: "HTTP 503: down" },
  });
  const counts = await openPortalAccounts({
    rpc,
    admin,
    agentKey: "agent-key-1",
    runId: RUN_ID,
    wisproIds: ["w1", "w2"],
  });
  assertEquals(counts, { created: 2, emailTaken: 1, sharedEmail: 1, refused: 1, pending: 1 });
  assertEquals(
    created.map((u) => [u.email, u.password]),
    [
      ["ana@example.com", "12345678"],
      ["familia@example.com", "9111222"],
      ["staff@example.com", "7000000"],
      ["corto@example.com", "123"],
      ["luego@example.com", "6000000"],
    ],
  );
  assertEquals(calls.map((c) => c.fn), ["claim_portal_accounts", "settle_portal_accounts"]);
  assertEquals(calls[0]!.args, {
    p_agent_key: "agent-key-1",
    p_run_id: RUN_ID,
    p_wispro_ids: ["w1", "w2"],
  });
  assertEquals(calls[1]!.args.p_outcomes, [
    { customer_id: "c1", status: "created", user_id: "u-ana@example.com" },
    { customer_id: "c2", status: "created", user_id: "u-familia@example.com" },
    { customer_id: "c3", status: "shared_email" },
    { customer_id: "c4", status: "email_taken" },
    { customer_id: "c5", status: "refused", detail: "weak_password: too short" },
    { customer_id: "c6", status: "pending", detail: "HTTP 503: down" },
  ]);
  // No password reaches the database.
  const settled = JSON.stringify(calls[1]!.args);
  for (const user of created) assertEquals(settled.includes(user.password), false);
});

Deno.test("nothing claimed: no Auth call and no settle", async () => {
  const { rpc, calls } = fakeRpc([]);
  const { admin, created } = fakeAdmin({});
  const counts = await openPortalAccounts({
    rpc,
    admin,
    agentKey: "k",
    runId: RUN_ID,
    wisproIds: ["w1"],
  });
  assertEquals(counts.created, 0);
  assertEquals([calls.map((c) => c.fn), created.length], [["claim_portal_accounts"], 0]);
  const none = await openPortalAccounts({
    rpc,
    admin,
    agentKey: "k",
    runId: RUN_ID,
    wisproIds: [],
  });
  assertEquals([none.created, calls.length], [0, 1]);
});

Deno.test("GoTrue's answers as supabase-js reports them", () => {
  const user = { id: "u1" };
  assertEquals(createUserResult({ data: { user }, error: null }, "123456"), {
    kind: "created",
    userId: "u1",
  });
  assertEquals(
    createUserResult({
      data: { user: null },
      error: { status: 422, code: "email_exists", message: "already registered" },
    }, "123456"),
    { kind: "email_taken" },
  );
  assertEquals(
    createUserResult({
      data: { user: null },
      error: { status: 422, code: "weak_password", message: "123 is too short" },
    }, "123"),
    { kind: "refused", detail: "weak_password: *** is too short" },
  );
  assertEquals(
    createUserResult({
      data: { user: null },
      error: { status: 0, message: "fetch failed" },
    }, "123456").kind,
    "unavailable",
  );
  assertEquals(
    createUserResult({
      data: { user: null },
      error: { status: 503, code: "unexpected_failure", message: "down" },
    }, "123456").kind,
    "unavailable",
  );
});
