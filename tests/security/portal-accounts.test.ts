// Issue 20, finding 1: with the agent key only, a customers batch carrying
// `email: ceo@victim-company.example, id_number: V-31337000` created a confirmed Auth user whose
// password was 31337000, and the README's "set app_metadata.role" could turn a customer account
// into a staff or admin login. Replayed here against PUENTE_PORTAL_ACCOUNTS=invite: the account is
// unconfirmed with a password nobody knows, the id digits sign nobody in, the invite goes to the
// mailbox (which the agent cannot read), an existing staff account sharing a customer's email is
// left exactly as it was, and no documented step gives a customer account a Puente role.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { caughtMail } from "../integration/wispro-support.ts";
import { bootStack, callEdge, connectDb, openRun, type Stack, uuid } from "./support.ts";

let stack: Stack;

beforeAll(async () => {
  stack = await bootStack({ edgeEnv: { PUENTE_PORTAL_ACCOUNTS: "invite" } });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function passwordGrant(email: string, password: string) {
  const response = await fetch(`${stack.info.supabaseUrl}/auth/v1/token?grant_type=password`, {
    method: "POST",
    headers: { apikey: stack.info.anonKey, "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  return { status: response.status, body: await response.json() };
}

async function sendCustomers(customers: Record<string, unknown>[]) {
  const runId = await openRun(stack.info, stack.info.agent.key, "wispro", { mode: "full" });
  const answer = await callEdge(stack.info, `/agent/runs/${runId}/batches`, {
    agentKey: stack.info.agent.key,
    body: { v: 1, kind: "customers", seq: 0, page: 1, customers },
  });
  expect(answer.status).toBe(200);
  const finished = await callEdge(stack.info, `/agent/runs/${runId}/finish`, {
    agentKey: stack.info.agent.key,
    body: { v: 1, status: "completed", done: customers.length },
  });
  expect(finished.status).toBe(200);
  return runId;
}

describe("portal accounts, replaying the review's reproduction", () => {
  test("the agent's word confirms nothing, and the id digits are no password", async () => {
    await sendCustomers([{
      wispro_id: uuid(),
      name: "CEO",
      email: "ceo@victim-company.example",
      id_number: "V-31337000",
    }]);
    const sql = connectDb(stack.info);
    try {
      const [user] = await sql<
        { confirmed: boolean; app: Record<string, unknown>; has_password: boolean }[]
      >`select email_confirmed_at is not null as confirmed, raw_app_meta_data as app,
          coalesce(encrypted_password, '') <> '' as has_password
        from auth.users where email = 'ceo@victim-company.example'`;
      expect(user?.confirmed).toBe(false);
      expect(user?.app).toMatchObject({ role: "customer" });
      expect(JSON.stringify(user?.app)).not.toContain("must_change_password");
    } finally {
      await sql.end();
    }
    for (const guess of ["31337000", "V-31337000", "V31337000"]) {
      const signIn = await passwordGrant("ceo@victim-company.example", guess);
      expect({ guess, status: signIn.status, code: signIn.body.error_code }).toEqual({
        guess,
        status: 400,
        code: "invalid_credentials",
      });
    }
    // The only way in is the link in the customer's own mailbox.
    const mails = await caughtMail(stack.info, "ceo@victim-company.example");
    expect(mails.map((m) => m.Subject)).toEqual(["You have been invited"]);
    expect(mails[0]!.link).toContain("type=invite");
    expect(mails[0]!.link).not.toContain("31337000");
  }, 60_000);

  test(
    "a staff member who is also a customer keeps the staff account untouched and gets no mail",
    async () => {
      const sql = connectDb(stack.info);
      try {
        const email = stack.info.users.staff.email;
        const [before] = await sql<{ row: string }[]>`
        select to_jsonb(u)::text as row from auth.users u where email = ${email}`;
        await sendCustomers([{ wispro_id: uuid(), name: "Staff", email, id_number: "V-5550001" }]);
        const [after] = await sql<{ row: string }[]>`
        select to_jsonb(u)::text as row from auth.users u where email = ${email}`;
        expect(after?.row).toBe(before?.row);
        expect(await caughtMail(stack.info, email)).toEqual([]);
        const [ledger] = await sql<{ status: string }[]>`
        select p.status from public.portal_accounts p where p.email = ${email}`;
        expect(ledger?.status).toBe("email_taken");
        expect((await passwordGrant(email, "5550001")).status).toBe(400);
      } finally {
        await sql.end();
      }
    },
    60_000,
  );

  test("the documented role step refuses a customer account, with a clear message", async () => {
    const sql = connectDb(stack.info);
    try {
      for (const role of ["staff", "admin"]) {
        // The statement the README's "Users" step gives, run as the project owner.
        const attempt = await sql.unsafe(
          `update auth.users set raw_app_meta_data = raw_app_meta_data || '{"role":"${role}"}'
           where email = 'ceo@victim-company.example'`,
        ).then(() => null, (e: Error) => e.message);
        expect(attempt).toBe(
          `the account ceo@victim-company.example is a customer portal account: it cannot be given a Puente role (${role})`,
        );
      }
      const [user] = await sql<{ role: string }[]>`
        select raw_app_meta_data ->> 'role' as role from auth.users
        where email = 'ceo@victim-company.example'`;
      expect(user?.role).toBe("customer");
    } finally {
      await sql.end();
    }
  });
});
