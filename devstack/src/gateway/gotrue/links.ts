// Email links as GoTrue sends them (supabase/auth internal/api/invite.go, recover.go, verify.go,
// user.go): an invite for a new or still unconfirmed user, a password-recovery link, `GET /verify`
// that spends a link once and redirects with a session in the URL fragment, and `PUT /user`, where
// the signed-in person sets their own password. Mail goes to the MailCatcher.
import { createHash, randomInt } from "node:crypto";
import type { Sql } from "postgres";
import type { MailCatcher } from "./mail.ts";
import { findUserByEmail, type UserRow } from "./users.ts";

/** The Supabase CLI's default `[auth.email] otp_expiry`. */
export const OTP_EXPIRY_S = 3600;
/** GoTrue's default `GOTRUE_SMTP_MAX_FREQUENCY`: one recovery email per user a minute. */
export const MAX_FREQUENCY_S = 60;

export type LinkType = "invite" | "recovery";

/** GoTrue's token hash: sha256 of email + the six-digit OTP, in hex; the link carries it. */
function newTokenHash(email: string): string {
  const otp = String(randomInt(0, 1_000_000)).padStart(6, "0");
  return createHash("sha256").update(email + otp).digest("hex");
}

/**
 * Where a link may send the person: `redirect_to` when it is on the site URL's host (GoTrue's
 * IsRedirectURLValid), else the site URL itself.
 */
export function allowedRedirect(siteUrl: string, redirectTo: string | null): string {
  if (!redirectTo) return siteUrl;
  try {
    return new URL(redirectTo).hostname === new URL(siteUrl).hostname ? redirectTo : siteUrl;
  } catch {
    return siteUrl;
  }
}

const TEMPLATES: Record<LinkType, { subject: string; html: (url: string) => string }> = {
  invite: {
    subject: "You have been invited",
    html: (url) =>
      `<h2>You have been invited</h2><p>You have been invited to create a user. Follow this link to accept the invite:</p><p><a href="${url}">Accept the invite</a></p>`,
  },
  recovery: {
    subject: "Reset Your Password",
    html: (url) =>
      `<h2>Reset Password</h2><p>Follow this link to reset the password for your user:</p><p><a href="${url}">Reset Password</a></p>`,
  },
};

/** Stores a fresh token for the user and mails the link. */
export async function sendLink(
  sql: Sql,
  mail: MailCatcher,
  options: { user: UserRow; type: LinkType; apiUrl: string; redirectTo: string },
): Promise<void> {
  const email = options.user.email!;
  const hash = newTokenHash(email);
  if (options.type === "invite") {
    await sql`update auth.users set confirmation_token = ${hash}, confirmation_sent_at = now(),
      invited_at = coalesce(invited_at, now()), updated_at = now() where id = ${options.user.id}::uuid`;
  } else {
    await sql`update auth.users set recovery_token = ${hash}, recovery_sent_at = now(),
      updated_at = now() where id = ${options.user.id}::uuid`;
  }
  const url = `${options.apiUrl}/verify?token=${hash}&type=${options.type}&redirect_to=${
    encodeURIComponent(options.redirectTo)
  }`;
  const template = TEMPLATES[options.type];
  mail.send(email, template.subject, template.html(url));
}

/** Seconds until the user may be sent another recovery email; 0 when it may be sent now. */
export function recoveryWaitSeconds(user: { recovery_sent_at?: Date | null }): number {
  if (!user.recovery_sent_at) return 0;
  const elapsed = (Date.now() - new Date(user.recovery_sent_at).getTime()) / 1000;
  return Math.max(0, Math.ceil(MAX_FREQUENCY_S - elapsed));
}

/**
 * Spends a link: the user whose unexpired token this is, with the token cleared and the email
 * confirmed (an invite or a recovery both prove the person reads that mailbox). Null when the token
 * is unknown, spent or expired.
 */
export async function spendLink(
  sql: Sql,
  type: LinkType,
  tokenHash: string,
): Promise<string | null> {
  const column = type === "invite" ? "confirmation" : "recovery";
  const rows = await sql.unsafe<{ id: string }[]>(
    `update auth.users set ${column}_token = null,
        email_confirmed_at = coalesce(email_confirmed_at, now()), updated_at = now()
      where ${column}_token = $1 and ${column}_sent_at > now() - make_interval(secs => $2)
      returning id::text as id`,
    [tokenHash, OTP_EXPIRY_S],
  );
  return rows[0]?.id ?? null;
}

export async function userForRecovery(sql: Sql, email: string) {
  const user = await findUserByEmail(sql, email);
  if (!user) return undefined;
  const [row] = await sql<{ recovery_sent_at: Date | null }[]>`
    select recovery_sent_at from auth.users where id = ${user.id}::uuid`;
  return { ...user, recovery_sent_at: row?.recovery_sent_at ?? null };
}
