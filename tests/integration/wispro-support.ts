// Shared by the Wispro whole-system tests: client records as Wispro sends them, the expected id
// number per the matching rules, `puente-agent sync wispro --json` from source, and database reads
// that prove what landed (or that nothing did).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres, { type Sql } from "postgres";
import type { WisproClientRecord } from "../../devstack/src/wispro/clients.ts";
import { agentSpawnOptions } from "../../devstack/src/agent-process.ts";
import { runToEnd, type Stack, type SyncOutcome, tableChecksums } from "./support.ts";

/** One Wispro client with sensible defaults; `n` makes its uuid, public id and id number unique. */
export function wisproClient(
  n: number,
  over: Partial<WisproClientRecord> = {},
): WisproClientRecord {
  return {
    id: `7a000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    public_id: 500 + n,
    custom_id: `C-${500 + n}`,
    name: `Cliente ${n}`,
    email: `cliente${n}@example.com`,
    phone: null,
    phone_mobile: null,
    national_identification_number: String(20_000_000 + n),
    details: null,
    address: `Calle ${n}`,
    city: "Caracas",
    state: "Distrito Capital",
    zone_name: "Catia",
    created_at: "2022-01-01T10:00:00.000-04:00",
    updated_at: "2024-01-01T10:00:00.000-04:00",
    ...over,
  };
}

/** Expected id number from the rules: the letter in the id, else a one-letter `details`, else V. */
export function expectedIdNumber(c: WisproClientRecord): string | null {
  const raw = c.national_identification_number;
  if (!raw) return null;
  const details = (c.details ?? "").trim();
  const letter = /^[VEJGP]/i.exec(raw.trim())?.[0]?.toUpperCase() ??
    (/^[VEJGP]$/i.test(details) ? details.toUpperCase() : "V");
  return `${letter}-${raw.replace(/\D/g, "")}`;
}

/** Writes a fixture file (a JSON array of clients) in a fresh temporary folder. */
export function writeFixture(clients: WisproClientRecord[], name = "clients.json"): string {
  const path = join(mkdtempSync(join(tmpdir(), "puente-wispro-fixture-")), name);
  writeFileSync(path, JSON.stringify(clients, null, 2));
  return path;
}

/** `puente-agent sync wispro --json` from source, paging small so several pages are fetched. */
export async function syncWispro(
  stack: Stack,
  home: string,
  extraEnv: Record<string, string> = {},
): Promise<SyncOutcome & { stderr: string }> {
  const { out, err, code } = await runToEnd(
    agentSpawnOptions(stack.info, ["sync", "wispro", "--json"], home, {
      WISPRO_PER_PAGE: "5",
      ...extraEnv,
    }),
  );
  const start = out.indexOf("{");
  if (start < 0) throw new Error(`sync exited ${code} without JSON: ${err.slice(-2000)}`);
  return { ...(JSON.parse(out.slice(start)) as SyncOutcome), stderr: err };
}

export async function withSql<T>(stack: Stack, use: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = postgres(stack.info.dbUrl, { max: 1, onnotice: () => {} });
  try {
    return await use(sql);
  } finally {
    await sql.end();
  }
}

export interface StoredCustomer {
  id: string;
  wispro_id: string;
  id_number: string;
  email: string | null;
}

/** Every customers row, by wispro uuid. */
export function storedCustomers(stack: Stack): Promise<Map<string, StoredCustomer>> {
  return withSql(stack, async (sql) => {
    const rows = await sql<StoredCustomer[]>`
      select id::text, wispro_id::text, id_number, email from public.customers`;
    return new Map(rows.map((r) => [r.wispro_id, r]));
  });
}

/** The stored rows are exactly the valid clients, each with the id number and email the rules give. */
export async function expectExactly(
  stack: Stack,
  clients: WisproClientRecord[],
  expect: (actual: unknown) => { toEqual(expected: unknown): void },
): Promise<void> {
  const stored = await storedCustomers(stack);
  const valid = clients.filter((c) => expectedIdNumber(c) !== null);
  expect([...stored.keys()].sort()).toEqual(valid.map((c) => c.id).sort());
  for (const c of valid) {
    const row = stored.get(c.id);
    expect({ id: c.id, idNumber: row?.id_number, email: row?.email }).toEqual({
      id: c.id,
      idNumber: expectedIdNumber(c),
      email: c.email,
    });
  }
}

/** An md5 of the whole customers table; any landed batch moves it (it stamps last_run_id). */
export async function customersChecksum(stack: Stack): Promise<string> {
  const sums = await tableChecksums(stack.info.dbUrl);
  const sum = sums["public.customers"];
  if (!sum) throw new Error("public.customers is missing from the checksums");
  return sum;
}

/** What the database holds about one run: its status and error, and how many batches and rejects landed. */
export function runRecord(stack: Stack, runId: string) {
  return withSql(stack, async (sql) => {
    const [row] = await sql<{ status: string; error: { message: string } | null }[]>`
      select status, error from public.runs where id = ${runId}`;
    const [batches] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.ingest_batches where run_id = ${runId}`;
    const [rejects] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.run_rejects where run_id = ${runId}`;
    return {
      status: row?.status,
      error: row?.error?.message ?? null,
      batches: batches?.n ?? -1,
      rejects: rejects?.n ?? -1,
    };
  });
}

/** The run's log lines as the panel shows them. */
export function runEvents(stack: Stack, runId: string): Promise<string[]> {
  return withSql(stack, async (sql) => {
    const rows = await sql<{ message: string }[]>`
      select message from public.run_events where run_id = ${runId} order by id`;
    return rows.map((r) => r.message);
  });
}

/** The mails the devstack's GoTrue caught for `to` (its Mailpit-like API), newest first. */
export async function caughtMail(
  info: { supabaseUrl: string },
  to: string,
): Promise<{ Subject: string; link: string }[]> {
  const list = await (await fetch(`${info.supabaseUrl}/__mail/api/v1/messages?to=${to}`)).json();
  return await Promise.all(
    (list.messages as { ID: string; Subject: string }[]).map(async (summary) => {
      const mail = await (await fetch(`${info.supabaseUrl}/__mail/api/v1/message/${summary.ID}`))
        .json();
      const link = /href="([^"]+)"/.exec(mail.HTML)?.[1]?.replaceAll("&amp;", "&") ?? "";
      return { Subject: summary.Subject, link };
    }),
  );
}

/** Follows an email link as a browser would and returns the session GoTrue put in the fragment. */
export async function followEmailLink(link: string): Promise<URLSearchParams> {
  const response = await fetch(link, { redirect: "manual" });
  if (response.status !== 303) throw new Error(`email link answered ${response.status}`);
  return new URLSearchParams(new URL(response.headers.get("location")!).hash.slice(1));
}
