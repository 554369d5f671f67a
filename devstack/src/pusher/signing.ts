// Pusher signatures: channel authorization strings and HTTP API request signing, both
// verified in constant time so a forged signature leaks nothing through timing.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** Pusher rejects HTTP API requests whose auth_timestamp is further than this from now. */
export const MAX_CLOCK_SKEW_S = 600;

export function hmacSha256Hex(secret: string, message: string): string {
  return createHmac("sha256", secret).update(message, "utf8").digest("hex");
}

export function md5Hex(body: string): string {
  return createHash("md5").update(body, "utf8").digest("hex");
}

/** Compares two strings without short-circuiting on the first differing byte. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  if (left.length !== right.length) {
    // Still spend the comparison so the length mismatch is not cheaper to detect.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** The `auth` a client must present: `key:hex(HMAC(secret, socket_id:channel[:channel_data]))`. */
export function channelAuth(
  app: { key: string; secret: string },
  socketId: string,
  channel: string,
  channelData?: string,
): string {
  const signed = channelData === undefined
    ? `${socketId}:${channel}`
    : `${socketId}:${channel}:${channelData}`;
  return `${app.key}:${hmacSha256Hex(app.secret, signed)}`;
}

export function isChannelAuthValid(
  app: { key: string; secret: string },
  socketId: string,
  channel: string,
  auth: unknown,
  channelData?: string,
): boolean {
  if (typeof auth !== "string") return false;
  return constantTimeEqual(auth, channelAuth(app, socketId, channel, channelData));
}

/** `METHOD\npath\nk=v&...`: every query parameter except auth_signature, sorted by key, unescaped. */
export function requestStringToSign(
  method: string,
  path: string,
  params: URLSearchParams,
): string {
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of params) {
    if (name !== "auth_signature") pairs.push([name.toLowerCase(), value]);
  }
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = pairs.map(([name, value]) => `${name}=${value}`).join("&");
  return `${method.toUpperCase()}\n${path}\n${query}`;
}

export type RequestVerdict = { ok: true } | { ok: false; message: string };

export interface SignedRequest {
  method: string;
  path: string;
  params: URLSearchParams;
  body: string;
}

/** Checks a Pusher HTTP API request the way Pusher does; the message says what to fix. */
export function verifyRequestSignature(
  app: { key: string; secret: string },
  request: SignedRequest,
  nowS: number = Math.floor(Date.now() / 1000),
): RequestVerdict {
  const { params } = request;
  const authKey = params.get("auth_key");
  if (authKey === null) return { ok: false, message: "Missing auth_key query parameter" };
  if (authKey !== app.key) {
    return { ok: false, message: `Unknown auth_key ${authKey}: this server's app key differs` };
  }
  if (params.get("auth_version") !== "1.0") {
    return { ok: false, message: "auth_version must be 1.0" };
  }
  const timestamp = Number(params.get("auth_timestamp"));
  if (!Number.isInteger(timestamp) || timestamp <= 0) {
    return { ok: false, message: "Missing or malformed auth_timestamp query parameter" };
  }
  if (Math.abs(nowS - timestamp) > MAX_CLOCK_SKEW_S) {
    return {
      ok: false,
      message: `Timestamp expired: auth_timestamp ${timestamp} is more than ${MAX_CLOCK_SKEW_S}s ` +
        `from server time ${nowS}; check the clock`,
    };
  }
  const bodyMd5 = params.get("body_md5");
  if (request.body.length > 0 || bodyMd5 !== null) {
    if (bodyMd5 === null) {
      return { ok: false, message: "Missing body_md5 query parameter for a request with a body" };
    }
    if (!constantTimeEqual(bodyMd5, md5Hex(request.body))) {
      return { ok: false, message: "body_md5 does not match the MD5 of the request body" };
    }
  }
  const signature = params.get("auth_signature");
  if (signature === null) return { ok: false, message: "Missing auth_signature query parameter" };
  const stringToSign = requestStringToSign(request.method, request.path, params);
  if (!constantTimeEqual(signature, hmacSha256Hex(app.secret, stringToSign))) {
    return {
      ok: false,
      message: `Invalid signature: expected HMAC-SHA256 hex of ${JSON.stringify(stringToSign)} ` +
        "with the app secret",
    };
  }
  return { ok: true };
}
