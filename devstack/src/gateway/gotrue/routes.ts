// `/auth/v1/*`: the GoTrue subset supabase-js uses (password and refresh grants, user, logout, admin
// user creation, invite, recovery, email links, password change, the JWKS), with GoTrue's error shape
// and API-version header. Mail GoTrue would send goes to `mail`, a Mailpit-like catcher.
import { randomBytes } from "node:crypto";
import type { Sql } from "postgres";
import { type JwtClaims, JwtInvalid, type ProjectKeys } from "../jwt.ts";
import {
  endSessions,
  RefreshTokenRejected,
  rotateRefreshToken,
  sessionIsActive,
  type SessionIssuer,
  sessionResponse,
  startSession,
} from "./sessions.ts";
import {
  allowedRedirect,
  type LinkType,
  recoveryWaitSeconds,
  sendLink,
  spendLink,
  userForRecovery,
} from "./links.ts";
import { MailCatcher } from "./mail.ts";
import {
  createUser,
  EmailExists,
  findUserByEmail,
  findUserById,
  markSignedIn,
  passwordMatches,
  setPassword,
  userJson,
} from "./users.ts";

const API_VERSION = { "X-Supabase-Api-Version": "2024-01-01" };

function authJson(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: API_VERSION });
}

function errorBody(code: string, message: string) {
  return { code, error_code: code, message, msg: message };
}

function authError(status: number, code: string, message: string): Response {
  return authJson(errorBody(code, message), status);
}

const emailExists = () =>
  authError(422, "email_exists", "A user with this email address has already been registered");

/** GoTrue's default `GOTRUE_PASSWORD_MIN_LENGTH`, checked where a person picks a password. */
export const MIN_PASSWORD_LENGTH = 6;
/** bcrypt reads 72 bytes; GoTrue refuses longer passwords (bcrypt.ErrPasswordTooLong). */
const MAX_PASSWORD_BYTES = 72;
/** supabase/config.toml's `[auth] site_url`: where email links land unless redirect_to is allowed. */
export const DEFAULT_SITE_URL = "http://127.0.0.1:5173";
const EMAIL_FORMAT = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const bearer = (request: Request) =>
  /^Bearer\s+(.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];

async function jsonBody(request: Request): Promise<Record<string, unknown> | null> {
  try {
    const body = await request.json();
    return typeof body === "object" && body !== null && !Array.isArray(body)
      ? body as Record<string, unknown>
      : null;
  } catch {
    return null;
  }
}

const text = (value: unknown) => (typeof value === "string" ? value : "");
const record = (value: unknown) =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : {};

export class AuthRoutes {
  /** Every email GoTrue would have sent. */
  readonly mail = new MailCatcher();
  siteUrl = DEFAULT_SITE_URL;

  constructor(private readonly sql: Sql, private readonly keys: ProjectKeys) {}

  /** True when the bearer is a valid service_role token (GoTrue's admin routes). */
  #isServiceRole(request: Request): boolean {
    const token = bearer(request);
    try {
      return token ? this.keys.verify(token).role === "service_role" : false;
    } catch {
      return false;
    }
  }

  /** GoTrue's `iss` is its external URL: here, wherever the caller reached the gateway. */
  #issuer(request: Request): SessionIssuer {
    const issuer = `${new URL(request.url).origin}/auth/v1`;
    return { sql: this.sql, keys: this.keys, issuer };
  }

  /** `path` is what follows `/auth/v1`. Unknown paths get GoTrue's 404. */
  async handle(request: Request, path: string): Promise<Response> {
    const url = new URL(request.url);
    if (path === "/token" && request.method === "POST") {
      const grant = url.searchParams.get("grant_type");
      if (grant === "password") return await this.#passwordGrant(request);
      if (grant === "refresh_token") return await this.#refreshGrant(request);
      return authError(400, "unsupported_grant_type", `grant_type ${grant} is not supported`);
    }
    if (path === "/user" && request.method === "GET") return await this.#user(request);
    if (path === "/user" && request.method === "PUT") return await this.#updateUser(request);
    if (path === "/invite" && request.method === "POST") return await this.#invite(request);
    if (path === "/recover" && request.method === "POST") return await this.#recover(request);
    if (path === "/verify" && request.method === "GET") return await this.#verify(request);
    if (path === "/logout" && request.method === "POST") {
      return await this.#logout(request, url.searchParams.get("scope") ?? "global");
    }
    if (path === "/admin/users" && request.method === "POST") {
      return await this.#adminCreate(request);
    }
    if (path === "/.well-known/jwks.json" && request.method === "GET") {
      return authJson(this.keys.jwks());
    }
    if (path === "/health" && request.method === "GET") {
      return authJson({ version: "devstack", name: "GoTrue", description: "Puente devstack auth" });
    }
    return authError(404, "not_found", `no auth route ${request.method} ${path}`);
  }

  async #passwordGrant(request: Request): Promise<Response> {
    const body = await jsonBody(request);
    const email = text(body?.email);
    const password = text(body?.password);
    if (!email || !password) {
      return authError(400, "validation_failed", "email and password are required");
    }
    const user = await findUserByEmail(this.sql, email);
    if (!user || !(await passwordMatches(user, password))) {
      return authError(400, "invalid_credentials", "Invalid login credentials");
    }
    // GoTrue's ResourceOwnerPasswordGrant: an unconfirmed email cannot sign in (token.go).
    if (!user.email_confirmed_at) {
      return authError(400, "email_not_confirmed", "Email not confirmed");
    }
    await markSignedIn(this.sql, user.id);
    const { sessionId, refreshToken } = await startSession(this.sql, user.id);
    const fresh = (await findUserById(this.sql, user.id)) ?? user;
    return authJson(
      sessionResponse(this.#issuer(request), fresh, sessionId, refreshToken, "password"),
    );
  }

  async #refreshGrant(request: Request): Promise<Response> {
    const body = await jsonBody(request);
    const token = text(body?.refresh_token);
    if (!token) return authError(400, "validation_failed", "refresh_token is required");
    try {
      const { userId, sessionId, refreshToken } = await rotateRefreshToken(this.sql, token);
      const user = await findUserById(this.sql, userId);
      if (!user) return authError(404, "user_not_found", "User from refresh token not found");
      return authJson(
        sessionResponse(this.#issuer(request), user, sessionId, refreshToken, "password"),
      );
    } catch (error) {
      if (error instanceof RefreshTokenRejected) {
        return authError(400, error.errorCode, error.message);
      }
      throw error;
    }
  }

  /** A user's verified claims with a live session, or the GoTrue error response to send. */
  async #sessionClaims(request: Request): Promise<JwtClaims | Response> {
    const token = bearer(request);
    if (!token) return authError(401, "no_authorization", "This endpoint requires a Bearer token");
    let claims: JwtClaims;
    try {
      claims = this.keys.verify(token);
    } catch (error) {
      const reason = error instanceof JwtInvalid ? error.message : String(error);
      return authError(403, "bad_jwt", `invalid JWT: ${reason}`);
    }
    if (typeof claims.sub !== "string" || typeof claims.session_id !== "string") {
      return authError(403, "bad_jwt", "invalid claim: missing sub or session_id claim");
    }
    if (!(await sessionIsActive(this.sql, claims.session_id))) {
      return authError(
        403,
        "session_not_found",
        "Session from session_id claim in JWT does not exist",
      );
    }
    return claims;
  }

  async #user(request: Request): Promise<Response> {
    const claims = await this.#sessionClaims(request);
    if (claims instanceof Response) return claims;
    const user = await findUserById(this.sql, claims.sub!);
    if (!user) return authError(404, "user_not_found", "User from sub claim in JWT does not exist");
    return authJson(userJson(user));
  }

  async #logout(request: Request, scope: string): Promise<Response> {
    if (scope !== "global" && scope !== "local" && scope !== "others") {
      return authError(400, "validation_failed", "scope must be global, local or others");
    }
    const claims = await this.#sessionClaims(request);
    if (claims instanceof Response) return claims;
    await endSessions(this.sql, claims.sub!, String(claims.session_id), scope);
    return new Response(null, { status: 204, headers: API_VERSION });
  }

  /** As supabase/auth internal/api/admin.go adminUserCreate: no strength check, a random password when none. */
  async #adminCreate(request: Request): Promise<Response> {
    if (!this.#isServiceRole(request)) return authError(403, "not_admin", "User not allowed");
    const body = await jsonBody(request);
    const email = text(body?.email).trim();
    if (!email) {
      return authError(
        400,
        "validation_failed",
        "Cannot create a user without either an email or phone",
      );
    }
    if (!EMAIL_FORMAT.test(email)) {
      return authError(
        400,
        "validation_failed",
        "Unable to validate email address: invalid format",
      );
    }
    if (await findUserByEmail(this.sql, email)) return emailExists();
    // No password: GoTrue generates a random one (64 characters) that nobody knows.
    const password = text(body?.password) || randomBytes(48).toString("base64url");
    if (new TextEncoder().encode(password).length > MAX_PASSWORD_BYTES) {
      return authError(400, "validation_failed", "bcrypt: password length exceeds 72 bytes");
    }
    try {
      const user = await createUser(this.sql, {
        email,
        password,
        emailConfirm: body?.email_confirm === true,
        appMetadata: record(body?.app_metadata),
        userMetadata: record(body?.user_metadata),
      });
      return authJson(userJson(user));
    } catch (error) {
      // Two creations of one email at once: the unique index decides, as in GoTrue.
      if (error instanceof EmailExists) return emailExists();
      throw error;
    }
  }

  #apiUrl(request: Request): string {
    return `${new URL(request.url).origin}/auth/v1`;
  }

  #redirectTo(request: Request, body: Record<string, unknown> | null): string {
    const url = new URL(request.url);
    return allowedRedirect(
      this.siteUrl,
      url.searchParams.get("redirect_to") ?? (text(body?.redirect_to) || null),
    );
  }

  /** invite.go: a new user (unconfirmed, no password) or a still unconfirmed one gets the link. */
  async #invite(request: Request): Promise<Response> {
    if (!this.#isServiceRole(request)) return authError(403, "not_admin", "User not allowed");
    const body = await jsonBody(request);
    const email = text(body?.email).trim().toLowerCase();
    if (!EMAIL_FORMAT.test(email)) {
      return authError(
        400,
        "validation_failed",
        "Unable to validate email address: invalid format",
      );
    }
    let user = await findUserByEmail(this.sql, email);
    if (user?.email_confirmed_at) return emailExists();
    if (!user) {
      try {
        user = await createUser(this.sql, {
          email,
          password: null,
          emailConfirm: false,
          appMetadata: {},
          userMetadata: record(body?.data),
        });
      } catch (error) {
        if (error instanceof EmailExists) return emailExists();
        throw error;
      }
    }
    await sendLink(this.sql, this.mail, {
      user,
      type: "invite",
      apiUrl: this.#apiUrl(request),
      redirectTo: this.#redirectTo(request, body),
    });
    return authJson(userJson((await findUserById(this.sql, user.id)) ?? user));
  }

  /** recover.go: 200 whether or not the email is registered, so nobody learns which are. */
  async #recover(request: Request): Promise<Response> {
    const body = await jsonBody(request);
    const email = text(body?.email).trim().toLowerCase();
    if (!EMAIL_FORMAT.test(email)) {
      return authError(
        400,
        "validation_failed",
        "Unable to validate email address: invalid format",
      );
    }
    const user = await userForRecovery(this.sql, email);
    if (user) {
      const wait = recoveryWaitSeconds(user);
      if (wait > 0) {
        return authError(
          429,
          "over_email_send_rate_limit",
          `For security purposes, you can only request this after ${wait} seconds.`,
        );
      }
      await sendLink(this.sql, this.mail, {
        user,
        type: "recovery",
        apiUrl: this.#apiUrl(request),
        redirectTo: this.#redirectTo(request, body),
      });
    }
    return authJson({});
  }

  /** verify.go verifyGet: spends the link once and redirects with a session in the fragment. */
  async #verify(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const type = url.searchParams.get("type") ?? "";
    const redirectTo = allowedRedirect(this.siteUrl, url.searchParams.get("redirect_to"));
    const redirect = (fragment: URLSearchParams) => {
      const target = new URL(redirectTo);
      fragment.set("sb", "");
      target.hash = fragment.toString();
      return new Response(null, {
        status: 303,
        headers: { ...API_VERSION, location: String(target) },
      });
    };
    if (type !== "invite" && type !== "recovery") {
      return authError(400, "validation_failed", "Unsupported verification type");
    }
    const userId = await spendLink(this.sql, type as LinkType, url.searchParams.get("token") ?? "");
    const user = userId ? await findUserById(this.sql, userId) : undefined;
    if (!user) {
      return redirect(
        new URLSearchParams({
          error: "access_denied",
          error_code: "otp_expired",
          error_description: "Email link is invalid or has expired",
        }),
      );
    }
    await markSignedIn(this.sql, user.id);
    const { sessionId, refreshToken } = await startSession(this.sql, user.id);
    const session = sessionResponse(
      this.#issuer(request),
      (await findUserById(this.sql, user.id)) ?? user,
      sessionId,
      refreshToken,
      "otp",
    );
    return redirect(
      new URLSearchParams({
        access_token: String(session.access_token),
        expires_at: String(session.expires_at),
        expires_in: String(session.expires_in),
        refresh_token: String(session.refresh_token),
        token_type: "bearer",
        type,
      }),
    );
  }

  /** user.go UserUpdate: the signed-in person sets a new password (or their user_metadata). */
  async #updateUser(request: Request): Promise<Response> {
    const claims = await this.#sessionClaims(request);
    if (claims instanceof Response) return claims;
    const body = await jsonBody(request);
    if (body === null) return authError(400, "bad_json", "Could not parse request body as JSON");
    if (body.email !== undefined || body.phone !== undefined) {
      return authError(400, "validation_failed", "email and phone changes are not supported here");
    }
    const user = await findUserById(this.sql, claims.sub!);
    if (!user) return authError(404, "user_not_found", "User from sub claim in JWT does not exist");
    if (body.password !== undefined) {
      const password = text(body.password);
      if (password.length < MIN_PASSWORD_LENGTH) {
        return authJson({
          ...errorBody(
            "weak_password",
            `Password should be at least ${MIN_PASSWORD_LENGTH} characters.`,
          ),
          weak_password: { reasons: ["length"] },
        }, 422);
      }
      if (new TextEncoder().encode(password).length > MAX_PASSWORD_BYTES) {
        return authError(400, "validation_failed", "bcrypt: password length exceeds 72 bytes");
      }
      if (await passwordMatches(user, password)) {
        return authError(
          422,
          "same_password",
          "New password should be different from the old password.",
        );
      }
      await setPassword(this.sql, user.id, password);
    }
    if (body.data !== undefined) {
      await this.sql`update auth.users set raw_user_meta_data =
        coalesce(raw_user_meta_data, '{}'::jsonb) || ${JSON.stringify(record(body.data))}::jsonb,
        updated_at = now() where id = ${user.id}::uuid`;
    }
    return authJson(userJson((await findUserById(this.sql, user.id)) ?? user));
  }
}
