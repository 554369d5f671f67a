// Customer portal accounts (policy PUENTE_PORTAL_ACCOUNTS=id_number): after a Wispro batch lands, each
// customer the run CREATED that has an email gets a Supabase Auth user through the Auth admin API
// (`auth.admin.createUser`, the service role's call), with the id number's digits as the first
// password and `must_change_password` in its metadata, as the system being replaced did.
//
// The rules, and where each is kept:
// - once per customer, also when a batch is replayed: the database's claim/settle ledger
//   (claim_portal_accounts / settle_portal_accounts, migration 20261123091200);
// - an existing account is never changed: GoTrue answers `email_exists` and nothing is updated;
// - two new customers sharing an email get one account: the first in the claim's order;
// - an Auth outage leaves the account pending for the next sync instead of failing the batch;
// - the password never leaves this module except in the createUser call itself: not in outcomes,
//   logs, run events or responses.
import { createClient } from "@supabase/supabase-js";
import { z } from "zod";
import { CLIENT_OPTIONS, type Rpc } from "./db.ts";

/** What the edge asks GoTrue to create for one customer. */
export interface PortalUser {
  email: string;
  password: string;
  customerId: string;
}

export type CreateUserResult =
  | { kind: "created"; userId: string }
  /** An Auth user with this email already exists; it was left as it was. */
  | { kind: "email_taken" }
  /** GoTrue refused the request for good (weak password, malformed email …). */
  | { kind: "refused"; detail: string }
  /** GoTrue could not be reached or failed; try again on a later sync. */
  | { kind: "unavailable"; detail: string };

/** The one Auth admin operation portal accounts need; tests swap in a fake. */
export interface AuthAdmin {
  createUser(user: PortalUser): Promise<CreateUserResult>;
}

/** What settle_portal_accounts answers: how the batch's claimed customers ended. */
const PortalAccountCounts = z.object({
  created: z.number(),
  emailTaken: z.number(),
  sharedEmail: z.number(),
  refused: z.number(),
  pending: z.number(),
});
export type PortalAccountCounts = z.infer<typeof PortalAccountCounts>;

export const NO_PORTAL_ACCOUNTS: PortalAccountCounts = {
  created: 0,
  emailTaken: 0,
  sharedEmail: 0,
  refused: 0,
  pending: 0,
};

/** The first password: the id number's digits (`V-12.345.678` → `12345678`). */
export function initialPassword(idNumber: string): string {
  return idNumber.replace(/\D/g, "");
}

/** What a portal user carries: a role with no Puente rights, and the must-change flag. */
export function portalUserMetadata(customerId: string) {
  return {
    // Authoritative (users cannot edit app_metadata); `customer` is not admin or staff, so RLS and
    // the edge give it nothing of Puente's.
    app_metadata: { role: "customer", customer_id: customerId, must_change_password: true },
    user_metadata: { must_change_password: true },
  };
}

/** GoTrue through supabase-js with the service role key. */
export function supabaseAuthAdmin(supabaseUrl: string, serviceRoleKey: string): AuthAdmin {
  const client = createClient(supabaseUrl, serviceRoleKey, CLIENT_OPTIONS);
  return {
    async createUser(user) {
      let answer;
      try {
        answer = await client.auth.admin.createUser({
          email: user.email,
          password: user.password,
          email_confirm: true,
          ...portalUserMetadata(user.customerId),
        });
      } catch (error) {
        return { kind: "unavailable", detail: String(error).slice(0, 300) };
      }
      return createUserResult(answer, user.password);
    },
  };
}

/** Maps supabase-js's answer; any echo of the password in a message is masked. */
export function createUserResult(
  answer: {
    data: { user: { id: string } | null };
    error: { status?: number; code?: string; message: string } | null;
  },
  password: string,
): CreateUserResult {
  const { data, error } = answer;
  if (!error && data.user) return { kind: "created", userId: data.user.id };
  if (!error) return { kind: "unavailable", detail: "Auth answered without a user" };
  if (error.code === "email_exists" || error.code === "user_already_exists") {
    return { kind: "email_taken" };
  }
  const status = error.status ?? 0;
  const message = password ? error.message.replaceAll(password, "***") : error.message;
  const detail = `${error.code ?? `HTTP ${status}`}: ${message}`.slice(0, 300);
  // auth-js reports network failures as status 0; 429 and 5xx may pass.
  if (status === 0 || status === 429 || status >= 500) return { kind: "unavailable", detail };
  return { kind: "refused", detail };
}

const ClaimedAccounts = z.array(z.object({
  customerId: z.string(),
  email: z.string(),
  idNumber: z.string(),
}));

interface Outcome {
  customer_id: string;
  status: "created" | "email_taken" | "shared_email" | "refused" | "pending";
  user_id?: string;
  detail?: string;
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the order of the results. */
async function mapPooled<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface OpenPortalAccountsOptions {
  /** The service-role RPC the batch was ingested with. */
  rpc: Rpc;
  admin: AuthAdmin;
  agentKey: string;
  runId: string;
  /** The batch's customers. */
  wisproIds: string[];
  /** createUser calls at once. Default 4. */
  concurrency?: number;
}

/** Opens the accounts of one landed batch; idempotent, so a replayed batch runs it again safely. */
export async function openPortalAccounts(
  options: OpenPortalAccountsOptions,
): Promise<PortalAccountCounts> {
  const { rpc, agentKey, runId } = options;
  if (options.wisproIds.length === 0) return { ...NO_PORTAL_ACCOUNTS };
  const claimed = ClaimedAccounts.parse(
    await rpc.call("claim_portal_accounts", {
      p_agent_key: agentKey,
      p_run_id: runId,
      p_wispro_ids: options.wisproIds,
    }),
  );
  if (claimed.length === 0) return { ...NO_PORTAL_ACCOUNTS };

  const firstWithEmail = new Map<string, string>();
  for (const account of claimed) {
    if (!firstWithEmail.has(account.email)) firstWithEmail.set(account.email, account.customerId);
  }
  const outcomes = await mapPooled(
    claimed,
    options.concurrency ?? 4,
    async (account): Promise<Outcome> => {
      if (firstWithEmail.get(account.email) !== account.customerId) {
        return { customer_id: account.customerId, status: "shared_email" };
      }
      const result = await options.admin.createUser({
        email: account.email,
        password: initialPassword(account.idNumber),
        customerId: account.customerId,
      });
      switch (result.kind) {
        case "created":
          return { customer_id: account.customerId, status: "created", user_id: result.userId };
        case "email_taken":
          return { customer_id: account.customerId, status: "email_taken" };
        case "refused":
          return { customer_id: account.customerId, status: "refused", detail: result.detail };
        case "unavailable":
          return { customer_id: account.customerId, status: "pending", detail: result.detail };
      }
    },
  );
  return PortalAccountCounts.parse(
    await rpc.call("settle_portal_accounts", {
      p_agent_key: agentKey,
      p_run_id: runId,
      p_outcomes: outcomes,
    }),
  );
}
