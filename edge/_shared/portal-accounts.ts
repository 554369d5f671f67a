// Customer portal accounts (policy PUENTE_PORTAL_ACCOUNTS=invite): after a Wispro batch lands, each
// customer the run CREATED that has an email is invited to a Supabase Auth account through Supabase's
// invite flow. The customer sets their own password from the link GoTrue emails; nothing here ever
// chooses a password, and only that link confirms the email (never the agent's word).
//
// Two Auth admin calls per customer:
// 1. `auth.admin.createUser` without a password and unconfirmed, with `app_metadata.role = customer`
//    (GoTrue generates a random password nobody knows). GoTrue answers `email_exists` for any existing
//    account, confirmed or not, which is therefore never touched: not even an invite goes to it.
// 2. `auth.admin.inviteUserByEmail` for that fresh, unconfirmed user: GoTrue emails the invite link.
//
// The rules, and where each is kept:
// - once per customer, also when a batch is replayed: the database's claim/settle ledger
//   (claim_portal_accounts / settle_portal_accounts, migration 20261205000200);
// - a user created whose invite could not be sent stays pending with its auth_user_id, so the next
//   sync sends the invite without creating the user again;
// - two new customers sharing an email get one account: the first in the claim's order;
// - an Auth outage leaves the account pending for the next sync instead of failing the batch;
// - `role = customer` can never become a Puente role (a trigger on auth.users refuses it).
import { createClient } from "@supabase/supabase-js";
import { z } from "zod";
import { CLIENT_OPTIONS, type Rpc } from "./db.ts";

/** The customer an Auth user is made for. */
export interface PortalUser {
  email: string;
  customerId: string;
}

export type AuthAdminResult =
  | { kind: "done"; userId: string }
  /** An Auth user with this email already exists (confirmed, for an invite); left as it was. */
  | { kind: "email_taken" }
  /** GoTrue refused the request for good (malformed email …). */
  | { kind: "refused"; detail: string }
  /** GoTrue could not be reached or failed; try again on a later sync. */
  | { kind: "unavailable"; detail: string };

/** The Auth admin operations portal accounts need; tests swap in a fake. */
export interface AuthAdmin {
  /** An unconfirmed user without a password Puente knows, marked as a customer. */
  createUser(user: PortalUser): Promise<AuthAdminResult>;
  /** Emails the invite link to that (still unconfirmed) user. */
  invite(email: string): Promise<AuthAdminResult>;
}

/** What settle_portal_accounts answers: how the batch's claimed customers ended. */
const PortalAccountCounts = z.object({
  invited: z.number(),
  emailTaken: z.number(),
  sharedEmail: z.number(),
  refused: z.number(),
  pending: z.number(),
});
export type PortalAccountCounts = z.infer<typeof PortalAccountCounts>;

export const NO_PORTAL_ACCOUNTS: PortalAccountCounts = {
  invited: 0,
  emailTaken: 0,
  sharedEmail: 0,
  refused: 0,
  pending: 0,
};

/** What a portal user carries: a role with no Puente rights, and which customer it is. */
export function portalUserMetadata(customerId: string) {
  // Authoritative (users cannot edit app_metadata); `customer` is not admin or staff, so RLS and the
  // edge give it nothing of Puente's, and the auth.users trigger keeps it from ever becoming one.
  return { app_metadata: { role: "customer", customer_id: customerId } };
}

/** GoTrue through supabase-js with the service role key. */
export function supabaseAuthAdmin(supabaseUrl: string, serviceRoleKey: string): AuthAdmin {
  const client = createClient(supabaseUrl, serviceRoleKey, CLIENT_OPTIONS);
  const attempt = async (
    call: () => Promise<AuthAnswer>,
  ): Promise<AuthAdminResult> => {
    try {
      return authAdminResult(await call());
    } catch (error) {
      return { kind: "unavailable", detail: String(error).slice(0, 300) };
    }
  };
  return {
    createUser: (user) =>
      attempt(() =>
        client.auth.admin.createUser({
          email: user.email,
          email_confirm: false,
          ...portalUserMetadata(user.customerId),
        })
      ),
    invite: (email) => attempt(() => client.auth.admin.inviteUserByEmail(email)),
  };
}

interface AuthAnswer {
  data: { user: { id: string } | null };
  error: { status?: number; code?: string; message: string } | null;
}

/** Maps supabase-js's answer. */
export function authAdminResult(answer: AuthAnswer): AuthAdminResult {
  const { data, error } = answer;
  if (!error && data.user) return { kind: "done", userId: data.user.id };
  if (!error) return { kind: "unavailable", detail: "Auth answered without a user" };
  if (error.code === "email_exists" || error.code === "user_already_exists") {
    return { kind: "email_taken" };
  }
  const status = error.status ?? 0;
  const detail = `${error.code ?? `HTTP ${status}`}: ${error.message}`.slice(0, 300);
  // auth-js reports network failures as status 0; 429 and 5xx may pass.
  if (status === 0 || status === 429 || status >= 500) return { kind: "unavailable", detail };
  return { kind: "refused", detail };
}

const ClaimedAccounts = z.array(z.object({
  customerId: z.string(),
  email: z.string(),
  /** Set when an earlier sync created the Auth user but could not send its invite. */
  authUserId: z.string().nullable(),
}));
type ClaimedAccount = z.infer<typeof ClaimedAccounts>[number];

interface Outcome {
  customer_id: string;
  status: "invited" | "email_taken" | "shared_email" | "refused" | "pending";
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

/** Creates the user (unless an earlier sync did) and sends its invite. */
async function openAccount(admin: AuthAdmin, account: ClaimedAccount): Promise<Outcome> {
  const customer_id = account.customerId;
  let userId = account.authUserId;
  if (userId === null) {
    const created = await admin.createUser({ email: account.email, customerId: customer_id });
    if (created.kind === "email_taken") return { customer_id, status: "email_taken" };
    if (created.kind === "refused") {
      return { customer_id, status: "refused", detail: created.detail };
    }
    if (created.kind === "unavailable") {
      return { customer_id, status: "pending", detail: created.detail };
    }
    userId = created.userId;
  }
  const invited = await admin.invite(account.email);
  switch (invited.kind) {
    case "done":
      return { customer_id, status: "invited", user_id: userId };
    case "email_taken":
      // The customer already accepted an earlier invite of this same user.
      return { customer_id, status: "invited", user_id: userId };
    case "refused":
      return { customer_id, status: "refused", user_id: userId, detail: invited.detail };
    case "unavailable":
      return { customer_id, status: "pending", user_id: userId, detail: invited.detail };
  }
}

export interface OpenPortalAccountsOptions {
  /** The service-role RPC the batch was ingested with. */
  rpc: Rpc;
  admin: AuthAdmin;
  agentKey: string;
  runId: string;
  /** The batch's customers. */
  wisproIds: string[];
  /** Customers handled at once. Default 4. */
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
    (account): Promise<Outcome> =>
      firstWithEmail.get(account.email) !== account.customerId
        ? Promise.resolve({ customer_id: account.customerId, status: "shared_email" })
        : openAccount(options.admin, account),
  );
  return PortalAccountCounts.parse(
    await rpc.call("settle_portal_accounts", {
      p_agent_key: agentKey,
      p_run_id: runId,
      p_outcomes: outcomes,
    }),
  );
}
