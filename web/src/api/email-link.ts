// What an email link from Supabase Auth brought the person here for, read from the URL fragment GoTrue
// redirects to (`#access_token=…&type=invite`, or `#error=…&error_code=otp_expired`). Read before
// supabase-js takes the session out of the fragment and clears it.

export type EmailLink =
  /** An invite or a password recovery: the person must now choose their own password. */
  | { kind: "setPassword"; type: "invite" | "recovery" }
  /** The link was spent, expired or forged. */
  | { kind: "invalid"; code: string };

export function emailLinkFrom(hash: string): EmailLink | null {
  const fragment = new URLSearchParams(hash.replace(/^#/, ""));
  const error = fragment.get("error_code") ?? fragment.get("error");
  if (error) return { kind: "invalid", code: error };
  const type = fragment.get("type");
  if (fragment.get("access_token") && (type === "invite" || type === "recovery")) {
    return { kind: "setPassword", type };
  }
  return null;
}

/** GoTrue's default GOTRUE_PASSWORD_MIN_LENGTH. */
export const MIN_PASSWORD_LENGTH = 6;

/** Why a new password cannot be sent, or null when it can. */
export function newPasswordProblem(
  password: string,
  repeated: string,
): "tooShort" | "mismatch" | null {
  if (password.length < MIN_PASSWORD_LENGTH) return "tooShort";
  if (password !== repeated) return "mismatch";
  return null;
}
