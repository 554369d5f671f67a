// Portal accounts through the whole system: with the edge secret PUENTE_PORTAL_ACCOUNTS=invite, a
// Wispro sync invites each customer it creates that has an email to a Supabase Auth account (GoTrue
// admin API via the gateway): the user is made unconfirmed with a password nobody knows, GoTrue mails
// the invite, and the customer sets their own password from the link. Existing accounts are never
// touched (not even mailed), two customers sharing an email get one account, a rerun or a replayed
// batch invites nobody again, and the account can read nothing of Puente's. With the default policy
// (none) no account is made.
import { describe, expect, test } from "bun:test";
import { newAgentHome } from "../../devstack/src/agent-process.ts";
import { callEdge, type Stack, supabaseFor, tableChecksums, useStack } from "./support.ts";
import {
  caughtMail,
  expectedIdNumber,
  followEmailLink,
  runEvents,
  syncWispro,
  wisproClient,
  withSql,
  writeFixture,
} from "./wispro-support.ts";
import type { WisproClientRecord } from "../../devstack/src/wispro/clients.ts";

/** The demo admin's email (createDemoData); a customer with it must not take over the admin. */
const ADMIN_EMAIL = "admin@puente.local";

/** Pages of 5: clients 2 and 3 share an email on page 1; client 4 uses the admin's email. */
const CLIENTS: WisproClientRecord[] = [
  wisproClient(1, { email: "Ana.Uno@Example.com", national_identification_number: "12.345.678" }),
  wisproClient(2, { email: "familia@example.com", national_identification_number: "9.111.222" }),
  wisproClient(3, { email: "FAMILIA@example.com", national_identification_number: "9111333" }),
  wisproClient(4, { email: ADMIN_EMAIL, national_identification_number: "7000004" }),
  wisproClient(5, { email: null }),
  wisproClient(6, { national_identification_number: null }),
  wisproClient(7, { email: "corto@example.com", national_identification_number: "V-97531" }),
  wisproClient(8, { national_identification_number: "E-84.123.458" }),
  wisproClient(9),
];
const idDigits = (c: WisproClientRecord) => expectedIdNumber(c)!.replace(/\D/g, "");
const byN = (n: number) => CLIENTS.find((c) => c.public_id === 500 + n)!;
/** Customers who get an account: new, with an email, the first of a shared email. */
const WITH_ACCOUNT = [1, 2, 7, 8, 9].map(byN);

interface AuthUser {
  email: string;
  app: Record<string, unknown>;
  user: Record<string, unknown>;
}

function authUsers(stack: Stack): Promise<Map<string, AuthUser>> {
  return withSql(stack, async (sql) => {
    const rows = await sql<
      { email: string; app: Record<string, unknown>; user: Record<string, unknown> }[]
    >`select email, raw_app_meta_data as app, raw_user_meta_data as user from auth.users`;
    return new Map(rows.map((r) => [r.email, r]));
  });
}

function accountStatuses(stack: Stack): Promise<Record<string, string>> {
  return withSql(stack, async (sql) => {
    const rows = await sql<{ public_id: number; status: string }[]>`
      select c.public_id, p.status from public.portal_accounts p
      join public.customers c on c.id = p.customer_id order by c.public_id`;
    return Object.fromEntries(rows.map((r) => [String(r.public_id - 500), r.status]));
  });
}

async function signIn(stack: Stack, email: string, secret: string) {
  return await supabaseFor(stack.info).auth.signInWithPassword({ email, password: secret });
}

describe("portal accounts with PUENTE_PORTAL_ACCOUNTS=invite", () => {
  let stack: Stack;
  let home: string;
  let firstRunId = "";

  useStack(() => ({
    wisproFixture: writeFixture(CLIENTS),
    edgeEnv: { PUENTE_PORTAL_ACCOUNTS: "invite" },
  }), (booted) => {
    home = newAgentHome();
    stack = booted;
  });

  test(
    "new customers with an email are invited, unconfirmed, and set their own password from the link",
    async () => {
      const before = await authUsers(stack);
      const outcome = await syncWispro(stack, home);
      expect(outcome.status).toBe("completed");
      firstRunId = outcome.runId;
      expect(outcome.counts.customers).toMatchObject({ created: 8, rejected: 1 });

      expect(await accountStatuses(stack)).toEqual({
        "1": "invited",
        "2": "invited",
        "3": "shared_email",
        "4": "email_taken",
        "7": "invited",
        "8": "invited",
        "9": "invited",
      });
      const users = await authUsers(stack);
      expect([...users.keys()].filter((e) => !before.has(e)).sort()).toEqual(
        WITH_ACCOUNT.map((c) => c.email!.toLowerCase()).sort(),
      );
      // The admin whose email a customer shares keeps the account exactly as it was, and gets no mail.
      expect(users.get(ADMIN_EMAIL)).toEqual(before.get(ADMIN_EMAIL)!);
      expect(await caughtMail(stack.info, ADMIN_EMAIL)).toEqual([]);
      expect((await signIn(stack, ADMIN_EMAIL, stack.info.users.admin.password)).error).toBeNull();

      for (const c of WITH_ACCOUNT) {
        const email = c.email!.toLowerCase();
        expect(users.get(email)?.app).toMatchObject({ role: "customer" });
        // Not confirmed on the agent's word, and the id number is no password.
        const guessed = await signIn(stack, email, idDigits(c));
        expect({ email, code: guessed.error?.code }).toEqual({
          email,
          code: "invalid_credentials",
        });
        const mails = await caughtMail(stack.info, email);
        expect(mails.map((m) => m.Subject)).toEqual(["You have been invited"]);
      }

      // The customer follows the link and chooses a password; only then can they sign in.
      const ana = byN(1).email!.toLowerCase();
      const fragment = await followEmailLink((await caughtMail(stack.info, ana))[0]!.link);
      expect(fragment.get("type")).toBe("invite");
      const client = supabaseFor(stack.info);
      await client.auth.setSession({
        access_token: fragment.get("access_token")!,
        refresh_token: fragment.get("refresh_token")!,
      });
      expect((await client.auth.updateUser({ password: "la-clave-de-ana" })).error).toBeNull();
      const signedIn = await signIn(stack, ana, "la-clave-de-ana");
      expect(signedIn.error).toBeNull();
      expect(signedIn.data.user?.email_confirmed_at).toBeString();

      // The run's log says what happened, and no id number shows in it or in the agent's output.
      const events = await runEvents(stack, outcome.runId);
      const lines = events.filter((e) => e.startsWith("portal accounts:"));
      const total = (label: string) =>
        lines.reduce(
          (sum, line) => sum + Number(new RegExp(`(\\d+) ${label}`).exec(line)?.[1] ?? 0),
          0,
        );
      expect(total("invited by email")).toBe(5);
      expect(total("skipped \\(email already registered\\)")).toBe(1);
      expect(total("skipped \\(email shared")).toBe(1);
      const shown = events.join("\n") + JSON.stringify(outcome);
      for (const c of CLIENTS.filter((c) => expectedIdNumber(c))) {
        expect(shown.includes(idDigits(c))).toBe(false);
      }
    },
    120_000,
  );

  test("a portal account can read nothing of Puente's and start nothing", async () => {
    const client = supabaseFor(stack.info);
    const { data } = await client.auth.signInWithPassword({
      email: byN(1).email!.toLowerCase(),
      password: "la-clave-de-ana",
    });
    const token = data.session!.access_token;
    const overview = await client.rpc("sync_overview");
    expect(overview.error?.code).toBe("PT403");
    const runs = await client.rpc("list_runs", {});
    expect(runs.error?.code).toBe("PT403");
    const start = await callEdge(stack.info, "/commands", {
      token,
      body: {
        v: 1,
        requestId: crypto.randomUUID(),
        agentId: stack.info.agent.id,
        source: "wispro",
        action: "start",
        params: { mode: "full" },
      },
    });
    expect(start.status).toBe(403);
  }, 60_000);

  test("a rerun and a replayed batch create no account and change no credentials", async () => {
    const before = (await tableChecksums(stack.info.dbUrl))["auth.users"];
    const outcome = await syncWispro(stack, home);
    expect(outcome.status).toBe("completed");
    expect(outcome.counts.customers).toMatchObject({ created: 0, unchanged: 8 });
    // The first run's batch 0 again: the database answers its first result, and no account follows
    // (no Auth call is even made: nothing is left pending, so nothing is settled or logged).
    const firstRunLines = async () =>
      (await runEvents(stack, firstRunId)).filter((e) => e.startsWith("portal accounts:")).length;
    const linesBefore = await firstRunLines();
    const replay = await callEdge(stack.info, `/agent/runs/${firstRunId}/batches`, {
      agentKey: stack.info.agent.key,
      body: {
        v: 1,
        kind: "customers",
        seq: 0,
        page: 1,
        customers: [{ wispro_id: byN(1).id, name: "Cliente 1", id_number: "V-12345678" }],
      },
    });
    expect(replay.status).toBe(200);
    expect(replay.body.replayed).toBe(true);
    expect(await firstRunLines()).toBe(linesBefore);
    expect((await tableChecksums(stack.info.dbUrl))["auth.users"]).toBe(before);
    for (const c of WITH_ACCOUNT) {
      expect((await caughtMail(stack.info, c.email!.toLowerCase())).length).toBe(1);
    }
    const events = await runEvents(stack, outcome.runId);
    expect(events.filter((e) => e.startsWith("portal accounts:"))).toEqual([]);
  }, 120_000);
});

describe("portal accounts with the default policy (none)", () => {
  let stack: Stack;

  useStack(() => ({ wisproFixture: writeFixture(CLIENTS) }), (booted) => {
    stack = booted;
  });

  test("a sync lands the customers and opens no account", async () => {
    const before = (await tableChecksums(stack.info.dbUrl))["auth.users"];
    const outcome = await syncWispro(stack, newAgentHome());
    expect(outcome.status).toBe("completed");
    expect(outcome.counts.customers).toMatchObject({ created: 8, rejected: 1 });
    expect((await tableChecksums(stack.info.dbUrl))["auth.users"]).toBe(before);
    expect(await accountStatuses(stack)).toEqual({});
  }, 120_000);
});
