// `/auth/v1/*`: the GoTrue subset supabase-js uses (password and refresh grants, user, logout, admin
// user creation, the JWKS), with GoTrue's error shape and API-version header.
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
  createUser,
  EmailExists,
  findUserByEmail,
  findUserById,
  markSignedIn,
  passwordMatches,
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

/** GoTrue's default `GOTRUE_PASSWORD_MIN_LENGTH`. */
export const MIN_PASSWORD_LENGTH = 6;
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
  constructor(private readonly sql: Sql, private readonly keys: ProjectKeys) {}

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

  async #adminCreate(request: Request): Promise<Response> {
    const token = bearer(request);
    let role: unknown;
    try {
      role = token ? this.keys.verify(token).role : undefined;
    } catch {
      role = undefined;
    }
    if (role !== "service_role") return authError(403, "not_admin", "User not allowed");
    const body = await jsonBody(request);
    const email = text(body?.email).trim();
    const password = text(body?.password);
    if (!email || !password) {
      return authError(400, "validation_failed", "email and password are required");
    }
    // GoTrue's order: the email's format, then whether it is taken, then the password's strength.
    if (!EMAIL_FORMAT.test(email)) {
      return authError(
        400,
        "validation_failed",
        "Unable to validate email address: invalid format",
      );
    }
    if (await findUserByEmail(this.sql, email)) return emailExists();
    if (password.length < MIN_PASSWORD_LENGTH) {
      return authJson({
        ...errorBody(
          "weak_password",
          `Password should be at least ${MIN_PASSWORD_LENGTH} characters.`,
        ),
        weak_password: { reasons: ["length"] },
      }, 422);
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
}
