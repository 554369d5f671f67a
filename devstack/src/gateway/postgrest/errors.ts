// PostgREST's error contract: the `{code,message,details,hint}` body and the SQLSTATE → HTTP status map,
// copied from PostgREST's `mapSQLtoHTTP` (src/PostgREST/Error.hs, main at 03a3ccd, the v13 line that
// hosted Supabase runs). devstack/README.md lists the source.

export interface PostgrestErrorBody {
  code: string;
  message: string;
  details: string | null;
  hint: string | null;
}

/** The HTTP status PostgREST answers for a SQLSTATE; `message` matters for 21000, 22023 and 42883. */
export function statusForSqlState(code: string, isAuthenticated: boolean, message = ""): number {
  const custom = /^PT(\d{3})$/.exec(code);
  if (custom) return Number(custom[1]);
  const startsWith = (prefix: string) => code.startsWith(prefix);
  if (startsWith("08")) return 503; // connection exception
  if (startsWith("09")) return 500; // triggered action exception
  if (startsWith("0L")) return 403; // invalid grantor
  if (startsWith("0P")) return 403; // invalid role specification
  if (code === "23503" || code === "23505") return 409;
  if (code === "25006") return 405; // read_only_sql_transaction
  if (code === "21000") return message.endsWith("requires a WHERE clause") ? 400 : 500;
  if (code === "22023") {
    // A JWT naming a role that does not exist (PostgREST issue 3601).
    return message.startsWith("role") && message.endsWith("does not exist") ? 401 : 400;
  }
  if (startsWith("25")) return 500; // invalid transaction state
  if (startsWith("28")) return 403; // invalid authorization specification
  if (/^(2D|38|39|3B|40)/.test(code)) return 500;
  if (code === "53400") return 500; // configuration limit exceeded
  if (startsWith("53")) return 503; // insufficient resources
  if (startsWith("54") || startsWith("55")) return 500;
  if (code === "57P01") return 503; // admin shutdown
  if (/^(57|58|F0|HV)/.test(code)) return 500;
  if (code === "P0001") return 400; // RAISE's default
  if (startsWith("P0") || startsWith("XX")) return 500;
  if (code === "42883") return message.startsWith("function xmlagg(") ? 406 : 404;
  if (code === "42P01") return 404; // undefined table
  if (code === "42P17") return 500; // infinite recursion
  if (code === "42501") return isAuthenticated ? 403 : 401;
  if (startsWith("PT")) return 500; // PTxyz whose xyz is not a number
  return 400;
}

export function errorResponse(
  status: number,
  body: PostgrestErrorBody,
  headers: Record<string, string> = {},
): Response {
  // PostgREST asks for a bearer on every 401 (`WWW-Authenticate: Bearer`), and names itself in Proxy-Status.
  const extra: Record<string, string> = status === 401 ? { "WWW-Authenticate": "Bearer" } : {};
  return Response.json(body, {
    status,
    headers: { "Proxy-Status": `PostgREST; error=${body.code}`, ...extra, ...headers },
  });
}

interface PgErrorLike {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
  hint?: unknown;
}

/** Turns a driver error into PostgREST's answer; a lost connection is PGRST000 (503), as in PostgREST. */
export function responseForDatabaseError(error: unknown, isAuthenticated: boolean): Response {
  const e = (error ?? {}) as PgErrorLike;
  const code = typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : null;
  if (!code) {
    return errorResponse(503, {
      code: "PGRST000",
      message: "Database connection error. Retrying the connection.",
      details: String(e.message ?? error),
      hint: null,
    });
  }
  const message = String(e.message ?? "");
  return errorResponse(statusForSqlState(code, isAuthenticated, message), {
    code,
    message,
    details: typeof e.detail === "string" ? e.detail : null,
    hint: typeof e.hint === "string" ? e.hint : null,
  });
}
