// Errors people meet, turned into a kind the UI can explain in plain words with a next step.
// Sources: the edge's {error:{code,message}}, PostgREST's {code:'PT409',…}, a run's error, the network.

/** A failed call to the edge or the database, carrying what the screen needs to explain it. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly code: string,
    message: string,
    readonly status: number | null = null,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export type ErrorKind =
  | "offline"
  | "sqlserverUnreachable"
  | "agentKeyInvalid"
  | "wisproTokenRefused"
  | "conflict"
  | "sessionExpired"
  | "forbidden"
  | "notFound"
  | "invalidInput"
  | "rateLimited"
  | "agentOffline"
  | "server";

export interface ErrorLike {
  code?: string | null;
  message?: string | null;
  status?: number | null;
}

function asErrorLike(error: unknown): ErrorLike {
  if (error instanceof ApiError) {
    return { code: error.code, message: error.message, status: error.status };
  }
  if (error instanceof Error) return { code: error.name, message: error.message };
  if (typeof error === "object" && error !== null) {
    const e = error as Record<string, unknown>;
    return {
      code: typeof e.code === "string" ? e.code : null,
      message: typeof e.message === "string" ? e.message : null,
      status: typeof e.status === "number" ? e.status : null,
    };
  }
  return { message: String(error) };
}

/** Classifies any failure; `isOnline` is navigator.onLine (passed in so this stays pure). */
export function explainError(error: unknown, isOnline = true): ErrorKind {
  const e = asErrorLike(error);
  const code = (e.code ?? "").toLowerCase();
  const message = (e.message ?? "").toLowerCase();
  const both = `${code} ${message}`;
  if (
    !isOnline || code === "offline" || code === "network" ||
    /failed to fetch|networkerror|load failed/.test(message)
  ) {
    return "offline";
  }
  if (/wispro/.test(both) && /401|403|token|unauthori[sz]ed|refused|rechaz/.test(both)) {
    return "wisproTokenRefused";
  }
  if (
    /sql ?server|ferrawin|source_unavailable|sourceunavailable|esocket|econnrefused|etimeout|tedious|connection to .* failed/
      .test(both)
  ) {
    return "sqlserverUnreachable";
  }
  if (/agent.?key|agentkeyinvalid|revoked|revocad/.test(both)) return "agentKeyInvalid";
  if (/agent_offline|agent is offline|agente.*(desconectado|offline)/.test(both)) {
    return "agentOffline";
  }
  const status = e.status ?? statusFromCode(code);
  if (code === "conflict" || status === 409 || /already (running|active)|en curso/.test(message)) {
    return "conflict";
  }
  if (code === "unauthorized" || status === 401 || /jwt|session/.test(both)) {
    return "sessionExpired";
  }
  if (code === "forbidden" || status === 403) return "forbidden";
  if (code === "not_found" || status === 404) return "notFound";
  if (code === "rate_limited" || status === 429) return "rateLimited";
  if (
    code === "validation_failed" || code === "invalid_json" || code === "unprocessable" ||
    status === 400 || status === 422
  ) return "invalidInput";
  return "server";
}

/** PostgREST answers custom SQLSTATEs as `PTxyz`, meaning HTTP status xyz. */
function statusFromCode(code: string): number | null {
  const match = /^pt(\d{3})$/.exec(code);
  return match ? Number(match[1]) : null;
}

/** The old monitor's error classes, kept because its users sorted problems this way. */
export type LogErrorClass = "timeout" | "auth" | "server";

export function classifyLogError(message: string): LogErrorClass {
  const m = message.toLowerCase();
  if (/timeout|timed out|etimeout|tiempo de espera/.test(m)) return "timeout";
  if (/401|403|auth|token|key|clave|login|unauthori[sz]ed|forbidden/.test(m)) return "auth";
  return "server";
}

/** "Cerca de: planilla …": the planilla code a log line mentions, if any. */
export function planillaNear(message: string): string | null {
  return /\b(\d{4}-\d{1,6})\b/.exec(message)?.[1] ?? null;
}
