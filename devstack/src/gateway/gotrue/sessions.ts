// Sessions as GoTrue keeps them: an access token (the project's signing key, 1 h) plus a rotating refresh token stored in
// auth.refresh_tokens; a session lives while one of its refresh tokens is unrevoked.
import { randomBytes, randomUUID } from "node:crypto";
import type { Sql } from "postgres";
import type { ProjectKeys } from "../jwt.ts";
import { userJson, type UserRow } from "./users.ts";

export const ACCESS_TOKEN_TTL_S = 3600;

export class RefreshTokenRejected extends Error {
  override name = "RefreshTokenRejected";
  constructor(readonly errorCode: "refresh_token_not_found" | "refresh_token_already_used") {
    super(
      errorCode === "refresh_token_not_found"
        ? "Invalid Refresh Token: Refresh Token Not Found"
        : "Invalid Refresh Token: Already Used",
    );
  }
}

const newRefreshToken = () => randomBytes(16).toString("base64url");

export interface SessionIssuer {
  sql: Sql;
  keys: ProjectKeys;
  issuer: string;
}

/** Signs an access token with the claims GoTrue puts in it and answers the token-grant shape. */
export function sessionResponse(
  issuer: SessionIssuer,
  user: UserRow,
  sessionId: string,
  refreshToken: string,
  amr: string,
): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000);
  const json = userJson(user);
  const accessToken = issuer.keys.sign({
    aud: String(json.aud),
    exp: iat + ACCESS_TOKEN_TTL_S,
    iat,
    iss: issuer.issuer,
    sub: user.id,
    email: json.email,
    phone: "",
    app_metadata: json.app_metadata,
    user_metadata: json.user_metadata,
    role: String(json.role),
    aal: "aal1",
    amr: [{ method: amr, timestamp: iat }],
    session_id: sessionId,
    is_anonymous: false,
  });
  return {
    access_token: accessToken,
    token_type: "bearer",
    expires_in: ACCESS_TOKEN_TTL_S,
    expires_at: iat + ACCESS_TOKEN_TTL_S,
    refresh_token: refreshToken,
    user: json,
  };
}

export async function startSession(
  sql: Sql,
  userId: string,
): Promise<{ sessionId: string; refreshToken: string }> {
  const sessionId = randomUUID();
  const refreshToken = newRefreshToken();
  await sql`insert into auth.refresh_tokens (token, user_id, session_id)
            values (${refreshToken}, ${userId}::uuid, ${sessionId}::uuid)`;
  return { sessionId, refreshToken };
}

/** Revokes the given refresh token and issues its successor in the same session, atomically. */
export async function rotateRefreshToken(
  sql: Sql,
  token: string,
): Promise<{ userId: string; sessionId: string; refreshToken: string }> {
  return await sql.begin(async (tx) => {
    const [row] = await tx<{ user_id: string; session_id: string; revoked: boolean }[]>`
      select user_id::text, session_id::text, revoked from auth.refresh_tokens
       where token = ${token} for update`;
    if (!row) throw new RefreshTokenRejected("refresh_token_not_found");
    if (row.revoked) throw new RefreshTokenRejected("refresh_token_already_used");
    const refreshToken = newRefreshToken();
    await tx`update auth.refresh_tokens set revoked = true, updated_at = now() where token = ${token}`;
    await tx`insert into auth.refresh_tokens (token, user_id, session_id, parent)
             values (${refreshToken}, ${row.user_id}::uuid, ${row.session_id}::uuid, ${token})`;
    return { userId: row.user_id, sessionId: row.session_id, refreshToken };
  });
}

export async function sessionIsActive(sql: Sql, sessionId: string): Promise<boolean> {
  const [row] = await sql<{ active: boolean }[]>`
    select exists (select 1 from auth.refresh_tokens
                    where session_id = ${sessionId}::uuid and not revoked) as active`;
  return row?.active === true;
}

/** GoTrue's logout scopes: this session, every session of the user, or every other session. */
export async function endSessions(
  sql: Sql,
  userId: string,
  sessionId: string,
  scope: "global" | "local" | "others",
): Promise<void> {
  if (scope === "local") {
    await sql`update auth.refresh_tokens set revoked = true where session_id = ${sessionId}::uuid`;
  } else if (scope === "others") {
    await sql`update auth.refresh_tokens set revoked = true
               where user_id = ${userId}::uuid and session_id <> ${sessionId}::uuid`;
  } else {
    await sql`update auth.refresh_tokens set revoked = true where user_id = ${userId}::uuid`;
  }
}
