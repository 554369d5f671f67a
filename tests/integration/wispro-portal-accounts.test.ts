// Portal accounts through the whole system: with the edge secret PUENTE_PORTAL_ACCOUNTS=id_number, a
// Wispro sync opens a Supabase Auth account (GoTrue admin API, via the gateway) for each customer it
// creates that has an email, with the id number's digits as the first password. Existing accounts are
// never touched, two customers sharing an email get one account, a rerun or a replayed batch creates
// nothing, no password shows anywhere, and the account can read nothing of Puente's. With the default
// policy (none) no account is made.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { newAgentHome } from "../../devstack/src/agent-process.ts";
import { bootStack, callEdge, type Stack, supabaseFor, tableChecksums } from "./support.ts";
import {
  expectedIdNumber,
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
  // Five digits: a password GoTrue refuses as too short (under 6), and, unlike "123", not a string
  // that turns up by chance in the uuids, pids and timings the no-password check searches.
  wisproClient(7, { email: "corto@example.com", national_identification_number: "V-97531" }),
  wisproClient(8, { national_identification_number: "E-84.123.458" }),
  wisproClient(9),
];
const password = (c: WisproClientRecord) => expectedIdNumber(c)!.replace(/\D/g, "");
const byN = (n: number) => CLIENTS.find((c) => c.public_id === 500 + n)!;
/** Customers who get an account: new, with an email, the first of a shared email, a long-enough id. */
const WITH_ACCOUNT = [1, 2, 8, 9].map(byN);

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

describe("portal accounts with PUENTE_PORTAL_ACCOUNTS=id_number", () => {
  let stack: Stack;
  let home: string;
  let firstRunId = "";

  beforeAll(async () => {
    home = newAgentHome();
    stack = await bootStack({
      wisproFixture: writeFixture(CLIENTS),
      edgeEnv: { PUENTE_PORTAL_ACCOUNTS: "id_number" },
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  test(
    "new customers with an email get one account each, signing in with their id digits",
    async () => {
      const before = await authUsers(stack);
      const outcome = await syncWispro(stack, home);
      expect(outcome.status).toBe("completed");
      firstRunId = outcome.runId;
      expect(outcome.counts.customers).toMatchObject({ created: 8, rejected: 1 });

      expect(await accountStatuses(stack)).toEqual({
        "1": "created",
        "2": "created",
        "3": "shared_email",
        "4": "email_taken",
        "7": "refused",
        "8": "created",
        "9": "created",
      });
      const users = await authUsers(stack);
      expect([...users.keys()].filter((e) => !before.has(e)).sort()).toEqual(
        WITH_ACCOUNT.map((c) => c.email!.toLowerCase()).sort(),
      );
      // The admin whose email a customer shares keeps the account exactly as it was.
      expect(users.get(ADMIN_EMAIL)).toEqual(before.get(ADMIN_EMAIL)!);
      expect((await signIn(stack, ADMIN_EMAIL, stack.info.users.admin.password)).error).toBeNull();

      for (const c of WITH_ACCOUNT) {
        const { data, error } = await signIn(stack, c.email!.toLowerCase(), password(c));
        expect({ email: c.email, error: error?.message ?? null }).toEqual({
          email: c.email,
          error: null,
        });
        expect(data.user?.app_metadata).toMatchObject({
          role: "customer",
          must_change_password: true,
        });
        expect(data.user?.user_metadata).toEqual({ must_change_password: true });
        expect(data.user?.email_confirmed_at).toBeString();
      }

      // The run's log says what happened, and no password shows in it or in the agent's output.
      const events = await runEvents(stack, outcome.runId);
      const lines = events.filter((e) => e.startsWith("portal accounts:"));
      const total = (label: string) =>
        lines.reduce(
          (sum, line) => sum + Number(new RegExp(`(\\d+) ${label}`).exec(line)?.[1] ?? 0),
          0,
        );
      expect(total("created")).toBe(4);
      expect(total("skipped \\(email already registered\\)")).toBe(1);
      expect(total("skipped \\(email shared")).toBe(1);
      expect(total("refused")).toBe(1);
      const shown = events.join("\n") + JSON.stringify(outcome);
      for (const c of CLIENTS.filter((c) => expectedIdNumber(c))) {
        expect(shown.includes(password(c))).toBe(false);
      }
    },
    120_000,
  );

  test("a portal account can read nothing of Puente's and start nothing", async () => {
    const c = byN(1);
    const client = supabaseFor(stack.info);
    const { data } = await client.auth.signInWithPassword({
      email: c.email!.toLowerCase(),
      password: password(c),
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
    const events = await runEvents(stack, outcome.runId);
    expect(events.filter((e) => e.startsWith("portal accounts:"))).toEqual([]);
  }, 120_000);
});

describe("portal accounts with the default policy (none)", () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await bootStack({ wisproFixture: writeFixture(CLIENTS) });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
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
