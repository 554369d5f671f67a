// The "waiting for the API" state, kept in a small file in the state folder while an outage lasts, so
// `puente-agent status` (another process) can show it; the log says the same as it happens.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ApiWaiting } from "../sink/outage.ts";
import type { Logger } from "./log.ts";

export const apiWaitingPath = (stateDir: string) => join(stateDir, "api-waiting.json");

export interface ApiWaitingRecord {
  since: string;
  route: string;
  reason: string;
  givesUpAt: string;
  pid: number;
}

/** The hook for `createEdgeClient({ onWaiting })`: logs the outage and keeps the file up to date. */
export function reportApiWaiting(
  stateDir: string,
  logger: Logger,
): (waiting: ApiWaiting | null) => void {
  const path = apiWaitingPath(stateDir);
  let since: Date | null = null;
  return (waiting) => {
    if (waiting) {
      since = waiting.since;
      logger.warn(
        `waiting for the API: ${waiting.route} failed (${waiting.reason}); trying again with ` +
          `backoff until ${waiting.givesUpAt.toISOString()}, then the run fails`,
      );
      const record: ApiWaitingRecord = {
        since: waiting.since.toISOString(),
        route: waiting.route,
        reason: waiting.reason,
        givesUpAt: waiting.givesUpAt.toISOString(),
        pid: process.pid,
      };
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, JSON.stringify(record));
    } else {
      const seconds = since ? Math.round((Date.now() - since.getTime()) / 1000) : 0;
      logger.info(`the API answers again after ${seconds} s: continuing`);
      since = null;
      rmSync(path, { force: true });
    }
  };
}

/** The outage the agent is waiting out, or null. */
export function readApiWaiting(stateDir: string): ApiWaitingRecord | null {
  try {
    return JSON.parse(readFileSync(apiWaitingPath(stateDir), "utf8")) as ApiWaitingRecord;
  } catch {
    return null;
  }
}
