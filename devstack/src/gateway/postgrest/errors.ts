// PostgREST's error contract: the `{code,message,details,hint}` body and the SQLSTATE → HTTP status map.

export interface PostgrestErrorBody {
  code: string;
  message: string;
  details: string | null;
  hint: string | null;
}

/** The HTTP status PostgREST answers for a SQLSTATE (REFERENCE.md, "RPC"). */
export function statusForSqlState(code: string, isAuthenticated: boolean): number {
  const custom = /^PT(\d{3})$/.exec(code);
  if (custom) return Number(custom[1]);
  if (code === "P0001") return 400;
  if (code === "23503" || code === "23505") return 409;
  if (code === "42501") return isAuthenticated ? 403 : 401;
  if (code === "42883") return 404;
  if (code.startsWith("08") || code.startsWith("53")) return 503;
  if (/^(P0|XX|40|54|55|57|58|F0|HV)/.test(code)) return 500;
  return 400;
}

export function errorResponse(status: number, body: PostgrestErrorBody): Response {
  return Response.json(body, { status });
}

interface PgErrorLike {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
  hint?: unknown;
}

/** Turns a driver error into PostgREST's answer; a non-database failure is a 500 with its message. */
export function responseForDatabaseError(error: unknown, isAuthenticated: boolean): Response {
  const e = (error ?? {}) as PgErrorLike;
  const code = typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : null;
  if (!code) {
    return errorResponse(503, {
      code: "PGRST000",
      message: String(e.message ?? error),
      details: null,
      hint: "the gateway could not talk to the database",
    });
  }
  return errorResponse(statusForSqlState(code, isAuthenticated), {
    code,
    message: String(e.message ?? ""),
    details: typeof e.detail === "string" ? e.detail : null,
    hint: typeof e.hint === "string" ? e.hint : null,
  });
}
