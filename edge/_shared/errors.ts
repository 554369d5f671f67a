// The one error envelope every route answers with, and the mapping from database (RPC) errors to it.
import {
  type ErrorCode,
  type ErrorEnvelope,
  type ErrorIssue,
  isConflictCode,
} from "../../protocol/src/index.ts";

/** A failure a caller can act on: status, stable code and a message that says what to do. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly issues?: ErrorIssue[],
  ) {
    super(message);
  }
}

/** 426: the body is in a protocol version this API does not speak; `sent` is the caller's version. */
export class ProtocolUnsupported extends ApiError {
  override name = "ProtocolUnsupported";
  constructor(readonly sent: number, message: string) {
    super(426, "protocol_unsupported", message);
  }
}

export function errorEnvelope(error: ApiError, requestId: string): ErrorEnvelope {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.issues ? { issues: error.issues } : {}),
      requestId,
    },
  };
}

const CODE_FOR_STATUS: Record<number, ErrorCode> = {
  400: "invalid_json",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "unprocessable",
  429: "rate_limited",
};

/** What PostgREST (through supabase-js) reports for a failed RPC. */
export interface RpcFailure {
  code?: string;
  message?: string;
  details?: string | null;
  hint?: string | null;
}

/**
 * The database raised it on purpose (`PTxyz`), or a constraint/privilege error, or it refused a value
 * (class 22, data exception: too long, out of range, not a date…; 23502, a missing value): the same
 * request would fail the same way, so it is a 4xx the caller does not retry. A PT409 carries its
 * situation's code in `details`, which becomes the envelope's code. Anything else (a lost
 * connection, a timeout, a deadlock, a bug of ours) is 502 and may be retried.
 */
export function apiErrorFromRpc(fn: string, failure: RpcFailure, httpStatus: number): ApiError {
  const sqlState = failure.code ?? "";
  const custom = /^PT(\d{3})$/.exec(sqlState);
  const isRefusedValue = /^22[0-9A-Z]{3}$/.test(sqlState) || sqlState === "23514" ||
    sqlState === "23502";
  let status = custom ? Number(custom[1]) : 500;
  if (sqlState === "23505" || sqlState === "23503") status = 409;
  if (sqlState === "42501") status = 403;
  if (sqlState === "P0001" || isRefusedValue) status = 422;
  if (status === 400) status = 422;
  // A conflict the database named (its DETAIL) is answered with that name, so clients need not read words.
  const named = status === 409 && failure.details && isConflictCode(failure.details)
    ? failure.details
    : null;
  const code = named ?? CODE_FOR_STATUS[status];
  if (!code) {
    return new ApiError(
      502,
      "internal",
      `database call ${fn} failed (${sqlState || `HTTP ${httpStatus}`}); see the edge logs`,
    );
  }
  const message = [failure.message, failure.hint].filter(Boolean).join(". ");
  return new ApiError(
    status,
    code,
    isRefusedValue
      ? `the database refused a value in ${fn}: ${message || sqlState} (SQLSTATE ${sqlState})`
      : message || `database call ${fn} was refused`,
  );
}
