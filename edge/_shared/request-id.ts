// Gives every request an id (the caller's `x-request-id` when it is sane), echoes it in the response
// header and puts it in every log line, so a person can match a complaint to the logs.
import type { MiddlewareHandler } from "hono";

const SANE_ID = /^[A-Za-z0-9._:-]{8,100}$/;

export type LogFields = Record<string, unknown>;
export type Log = (level: "info" | "warn" | "error", message: string, fields?: LogFields) => void;

export interface RequestIdVariables {
  requestId: string;
  log: Log;
}

export function logTo(write: (line: string) => void, requestId: string): Log {
  return (level, message, fields) =>
    write(JSON.stringify({ at: new Date().toISOString(), level, requestId, message, ...fields }));
}

export function requestId(
  write: (line: string) => void = console.log,
): MiddlewareHandler<{ Variables: RequestIdVariables }> {
  return async (c, next) => {
    const inbound = c.req.header("x-request-id");
    const id = inbound && SANE_ID.test(inbound) ? inbound : crypto.randomUUID();
    const log = logTo(write, id);
    c.set("requestId", id);
    c.set("log", log);
    const started = performance.now();
    await next();
    c.header("x-request-id", id);
    log("info", "request", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  };
}
