// Issue 20, finding 2: a Wispro `ambiguous_match` reject wrote "the id number V-1740793 is on 2 Wispro
// clients" into run_rejects.detail, which run_detail returns to staff; those digits are also what the
// old portal passwords were made of. After a Wispro sync with shared, duplicate, missing and
// unreadable id numbers, every column staff can read, and every RPC answer staff get, holds no id
// number, email or phone of any customer.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { newAgentHome } from "../../devstack/src/agent-process.ts";
import { syncWispro, wisproClient, writeFixture } from "../integration/wispro-support.ts";
import { bootStack, callRpc, connectDb, signIn, type Stack } from "./support.ts";

const CLIENTS = [
  // Two clients share an id number: both are refused as ambiguous_match.
  wisproClient(1, { national_identification_number: "V-1740793", phone: "0414-5550101" }),
  wisproClient(2, { national_identification_number: "1.740.793", phone_mobile: "0424 555 0102" }),
  // Fine customers, with everything personal filled in.
  wisproClient(3, { national_identification_number: "23456789", phone: "+58 212 555 0103" }),
  wisproClient(4, {
    national_identification_number: "E-84123458",
    email: "ceo@victim-company.example",
  }),
  // No id number, and one that cannot be read.
  wisproClient(5, { national_identification_number: null, email: "sin.cedula@example.com" }),
  wisproClient(6, { national_identification_number: "V-31337000-ABC", email: "raro@example.com" }),
  // The same person twice across pages (the list moved): kept once, the copy refused.
  wisproClient(7, { national_identification_number: "19876543", phone: "0416-5550107" }),
];

/** What must never reach staff: digits of every id number, every email, every phone. */
const PERSONAL = CLIENTS.flatMap((c) => [
  c.national_identification_number?.replace(/\D/g, ""),
  c.email?.toLowerCase(),
  c.phone?.replace(/\D/g, ""),
  c.phone_mobile?.replace(/\D/g, ""),
]).filter((v): v is string => typeof v === "string" && v.length >= 5);

let stack: Stack;
let staffToken: string;
let runIds: string[] = [];

beforeAll(async () => {
  stack = await bootStack({ wisproFixture: writeFixture([...CLIENTS, CLIENTS[6]!]) });
  const home = newAgentHome();
  const first = await syncWispro(stack, home);
  // A later client re-created in Wispro with a stored customer's id number: the database's own
  // ambiguous and re-created rules run too.
  const second = await syncWispro(stack, home);
  runIds = [first.runId, second.runId];
  staffToken = await signIn(stack.info, "staff");
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

/** Every personal value found in `text`. */
const leaks = (text: string) => {
  const plain = text.toLowerCase();
  const digits = text.replace(/[\s.\-+()]/g, "");
  return PERSONAL.filter((value) =>
    /^\d+$/.test(value) ? digits.includes(value) : plain.includes(value)
  );
};

describe("no personal data in what staff read", () => {
  test("the sync produced the rejects this test is about", async () => {
    const sql = connectDb(stack.info);
    try {
      const reasons = await sql<{ reason: string }[]>`
        select distinct reason from public.run_rejects order by 1`;
      expect(reasons.map((r) => r.reason)).toEqual(
        expect.arrayContaining(["ambiguous_match", "missing_id_number", "invalid_record"]),
      );
      // Admins still find the whole story in the payload.
      const [payload] = await sql<{ payload: Record<string, unknown> }[]>`
        select payload from public.run_rejects where reason = 'ambiguous_match' limit 1`;
      expect(String(payload?.payload.rejectDetail)).toContain("Wispro clients");
    } finally {
      await sql.end();
    }
  });

  test("every column staff can select, read as staff, holds no id number, email or phone", async () => {
    const sql = connectDb(stack.info);
    const found: string[] = [];
    let columns = 0;
    try {
      const grants = await sql<{ table: string; columns: string[] }[]>`
        select table_name as table, array_agg(column_name::text order by column_name) as columns
        from information_schema.column_privileges
        where grantee = 'authenticated' and privilege_type = 'SELECT' and table_schema = 'public'
        group by table_name order by table_name`;
      const [staffUser] = await sql<{ id: string }[]>`
        select id::text from auth.users where email = ${stack.info.users.staff.email}`;
      const claims = JSON.stringify({
        sub: staffUser!.id,
        role: "authenticated",
        app_metadata: { role: "staff" },
      });
      for (const grant of grants) {
        columns += grant.columns.length;
        const rows = await sql.begin(async (tx) => {
          await tx`select set_config('request.jwt.claims', ${claims}, true)`;
          await tx`set local role authenticated`;
          return await tx.unsafe(
            `select ${grant.columns.map((c) => `"${c}"`).join(", ")} from public."${grant.table}"`,
          );
        });
        for (const value of leaks(JSON.stringify(rows))) found.push(`${grant.table}: ${value}`);
      }
    } finally {
      await sql.end();
    }
    console.log(`staff-readable columns scanned: ${columns}`);
    expect(columns).toBeGreaterThan(20);
    expect(found).toEqual([]);
  });

  test("every RPC answer staff get holds none either", async () => {
    const answers = [
      await callRpc(stack.info, "sync_overview", {}, staffToken),
      await callRpc(stack.info, "list_runs", {}, staffToken),
      ...await Promise.all(
        runIds.map((id) => callRpc(stack.info, "run_detail", { p_run_id: id }, staffToken)),
      ),
    ];
    for (const answer of answers) expect(answer.status).toBe(200);
    const detail = JSON.stringify(answers[2]!.body);
    expect(detail).toContain("ambiguous_match");
    expect(leaks(JSON.stringify(answers.map((a) => a.body)))).toEqual([]);
  });
});
