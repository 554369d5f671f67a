// The failures a Wispro sync can meet, each with what a person must do about it. No message ever
// carries the API token; only the page and what Wispro said.

/** Base of every Wispro failure; `isRetryable` says whether trying the same request again may help. */
export class WisproError extends Error {
  override name = "WisproError";
  readonly isRetryable: boolean;
  constructor(message: string, isRetryable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.isRetryable = isRetryable;
  }
}

/** Wispro answered 401 (in the body or the HTTP status): the token is wrong, revoked, or sent badly. */
export class WisproTokenRefused extends WisproError {
  override name = "WisproTokenRefused";
  constructor() {
    super(
      "Wispro refused the API token: check WISPRO_API_TOKEN (the raw token from Wispro's API settings, without 'Bearer')",
      false,
    );
  }
}

/** Wispro answered 402: the tenant's licence has lapsed, and no request will work until it is renewed. */
export class WisproLicenceExpired extends WisproError {
  override name = "WisproLicenceExpired";
  constructor() {
    super(
      "Wispro answered 402 (Payment Required): the Wispro account needs payment (its licence has expired or is unpaid); pay or renew it in Wispro, then sync again",
      false,
    );
  }
}

/** Any other error status from Wispro, in the body or the HTTP status line. */
export class WisproApiError extends WisproError {
  override name = "WisproApiError";
  readonly status: number;
  /** How long Wispro asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs: number | undefined;
  constructor(status: number, detail: string, page: number, retryAfterMs?: number) {
    const isRetryable = status === 408 || status === 429 || status >= 500;
    super(`Wispro answered ${status} (${detail}) for clients page ${page}`, isRetryable);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The body was not the JSON envelope Wispro sends; a cut connection is the usual cause, so it is retried. */
export class WisproResponseInvalid extends WisproError {
  override name = "WisproResponseInvalid";
  constructor(page: number, detail: string, isRetryable: boolean) {
    super(`Wispro sent an unreadable response for clients page ${page}: ${detail}`, isRetryable);
  }
}

/** No answer within the per-request timeout. */
export class WisproTimeout extends WisproError {
  override name = "WisproTimeout";
  constructor(page: number, timeoutMs: number) {
    super(`Wispro did not answer clients page ${page} within ${timeoutMs} ms`, true);
  }
}

/** The connection itself failed (DNS, refused, reset). */
export class WisproUnreachable extends WisproError {
  override name = "WisproUnreachable";
  constructor(host: string, page: number, cause: string, options?: ErrorOptions) {
    super(
      `Could not reach Wispro at ${host} for clients page ${page} (${cause}); check WISPRO_API_URL and the office's internet connection`,
      true,
      options,
    );
  }
}

/** Every attempt failed with a retryable error; carries the last one as `cause`. */
export class WisproGaveUp extends WisproError {
  override name = "WisproGaveUp";
  readonly attempts: number;
  constructor(page: number, attempts: number, last: WisproError) {
    super(
      `Gave up on Wispro clients page ${page} after ${attempts} attempts; last error: ${last.message}. Try the sync again later`,
      false,
      { cause: last },
    );
    this.attempts = attempts;
  }
}
