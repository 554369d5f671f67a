// `doctor`: checks everything the agent needs, one ✔ / ✘ line each with what to fix, and exits non-zero
// when something fails. Checks run in order; a later check that depends on a failed one is skipped.
import Pusher from "pusher-js";
import { Channels } from "@puente/protocol";
import {
  type AgentConfig,
  describeConfig,
  ferrawinEndpoint,
  loadConfig,
  redact,
} from "../config.ts";
import { ConfigInvalid } from "../errors/config-invalid.ts";
import { createEdgeClient, type EdgeClient } from "../sink/edge-client.ts";
import { pusherOptions } from "../listener.ts";
import { FerrawinConnection } from "../sources/ferrawin/connection.ts";
import { AGENT_VERSION } from "../version.ts";
import { hostname } from "node:os";
import { createWisproClient } from "../sources/wispro/client.ts";
import { WisproTokenRefused } from "../sources/wispro/errors.ts";
import { networkHint } from "./network-hint.ts";
import { routePusherThroughProxy } from "../proxy.ts";
import { t } from "../i18n/i18n.ts";
import { describeError } from "../i18n/error-message.ts";

export interface CheckResult {
  name: string;
  status: "ok" | "fail" | "skip" | "warn";
  detail: string;
  /** What to do about a failure. */
  fix?: string;
}

/** Clock skew beyond this breaks JWT and Pusher signature checks. */
export const MAX_CLOCK_SKEW_MS = 60_000;

export function checkClockSkew(serverDate: Date | null, localNow: Date): CheckResult {
  if (!serverDate || Number.isNaN(serverDate.getTime())) {
    return { name: t("doctor.check.Clock"), status: "warn", detail: t("doctor.clock.noDate") };
  }
  const skewMs = localNow.getTime() - serverDate.getTime();
  const detail = t(skewMs >= 0 ? "doctor.clock.ahead" : "doctor.clock.behind", {
    seconds: Math.abs(Math.round(skewMs / 1000)),
  });
  return Math.abs(skewMs) <= MAX_CLOCK_SKEW_MS
    ? { name: t("doctor.check.Clock"), status: "ok", detail }
    : {
      name: t("doctor.check.Clock"),
      status: "fail",
      detail,
      fix: t("doctor.clock.fix"),
    };
}

const timeout = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(t("doctor.noAnswer", { what, seconds: ms / 1000 }))), ms)
    ),
  ]);

export async function checkApi(
  edge: EdgeClient,
  timeoutMs: number,
  host = "the API",
  proxy: string | null = null,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let reachable = false;
  try {
    const probe = await timeout(edge.probe(), timeoutMs, "GET /health");
    reachable = probe.status < 500 || probe.status === 503;
    results.push(
      probe.status === 200
        ? {
          name: t("doctor.check.API reachable"),
          status: "ok",
          detail: t("doctor.api.answered", { status: 200 }),
        }
        : {
          name: t("doctor.check.API reachable"),
          status: probe.status === 404 ? "fail" : "warn",
          detail: t("doctor.api.answered", { status: probe.status }),
          fix: t("doctor.api.fixPath"),
        },
    );
    results.push(checkClockSkew(probe.serverDate, new Date()));
  } catch (error) {
    const hint = networkHint(error, host, proxy);
    results.push({
      name: t("doctor.check.API reachable"),
      status: "fail",
      detail: hint ? `${hint.detail} (${describeError(error)})` : describeError(error),
      fix: hint?.fix ?? t("doctor.api.fixNetwork"),
    });
  }
  if (!reachable) {
    results.push({
      name: t("doctor.check.Agent key"),
      status: "skip",
      detail: t("doctor.key.skipped"),
    });
    return results;
  }
  try {
    await timeout(
      edge.heartbeat({ version: AGENT_VERSION, hostname: hostname() }),
      timeoutMs,
      "POST /agent/heartbeat",
    );
    results.push({
      name: t("doctor.check.Agent key"),
      status: "ok",
      detail: t("doctor.key.accepted"),
    });
  } catch (error) {
    results.push({
      name: t("doctor.check.Agent key"),
      status: "fail",
      detail: describeError(error),
      fix: t("doctor.key.fix"),
    });
  }
  return results;
}

export async function checkSqlServer(config: AgentConfig, timeoutMs: number): Promise<CheckResult> {
  if (!config.ferrawin) {
    return {
      name: t("doctor.check.SQL Server"),
      status: "skip",
      detail: t("doctor.sql.notConfigured"),
    };
  }
  const connection = new FerrawinConnection(config.ferrawin);
  const where = `${ferrawinEndpoint(config.ferrawin)}/${config.ferrawin.database}`;
  try {
    const rows = connection.query("doctor", "SELECT 1 AS ok", {}, AbortSignal.timeout(timeoutMs));
    for await (const _row of rows) break;
    return {
      name: t("doctor.check.SQL Server"),
      status: "ok",
      detail: t("doctor.sql.ok", { where }),
    };
  } catch (error) {
    return {
      name: t("doctor.check.SQL Server"),
      status: "fail",
      detail: redact(describeError(error), config.secrets),
      // The detail carries the specific next step (SQL Browser and TCP/IP for a named instance, 18456
      // and mixed mode, TLS version, CA); this names every setting involved.
      fix: t("doctor.sql.fix"),
    };
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Reads one customer with the token: a refused or unreachable Wispro is named as such. */
export async function checkWispro(config: AgentConfig, timeoutMs: number): Promise<CheckResult> {
  if (!config.wispro) {
    return {
      name: t("doctor.check.Wispro"),
      status: "skip",
      detail: t("doctor.wispro.notConfigured"),
    };
  }
  const client = createWisproClient({
    baseUrl: config.wispro.baseUrl,
    token: config.wispro.token,
    timeoutMs,
    retry: { maxAttempts: 1 },
    proxy: config.proxy,
    noProxy: config.noProxy,
  });
  try {
    const page = await client.fetchClientsPage(1, 1);
    return {
      name: t("doctor.check.Wispro"),
      status: "ok",
      detail: t("doctor.wispro.ok", { url: config.wispro.baseUrl, count: page.totalRecords }),
    };
  } catch (error) {
    const host = new URL(config.wispro.baseUrl).host;
    const hint = networkHint(error, host, config.proxy);
    return {
      name: t("doctor.check.Wispro"),
      status: "fail",
      detail: redact(hint?.detail ?? describeError(error), config.secrets),
      fix: error instanceof WisproTokenRefused
        ? t("doctor.wispro.fixToken")
        : hint?.fix ?? t("doctor.wispro.fix"),
    };
  }
}

export async function checkPusher(
  config: AgentConfig,
  edge: EdgeClient,
  timeoutMs: number,
): Promise<CheckResult> {
  if (!config.pusher) {
    return {
      name: t("doctor.check.Pusher"),
      status: "warn",
      detail: t("doctor.pusher.notConfigured", { seconds: config.intervals.claimMs / 1000 }),
      fix: t("doctor.pusher.fixConfigure"),
    };
  }
  if (!config.api.agentId) {
    return {
      name: t("doctor.check.Pusher"),
      status: "fail",
      detail: t("doctor.pusher.noAgentId"),
      fix: t("doctor.pusher.fixAgentId"),
    };
  }
  const client = new Pusher(
    config.pusher.key,
    pusherOptions(config.pusher, (socketId, channel) => edge.authorizeChannel(socketId, channel)),
  );
  const channelName = Channels.agent(config.api.agentId);
  try {
    await timeout(
      new Promise<void>((resolve, reject) => {
        client.connection.bind("state_change", ({ current }: { current: string }) => {
          if (current === "failed" || current === "unavailable") {
            reject(new Error(t("doctor.pusher.state", { state: current })));
          }
        });
        const channel = client.subscribe(channelName);
        channel.bind("pusher:subscription_succeeded", () => resolve());
        channel.bind(
          "pusher:subscription_error",
          (error: unknown) =>
            reject(new Error(t("doctor.pusher.refused", { detail: JSON.stringify(error) }))),
        );
      }),
      timeoutMs,
      "Pusher",
    );
    return {
      name: t("doctor.check.Pusher"),
      status: "ok",
      detail: t("doctor.pusher.ok", { channel: channelName }),
    };
  } catch (error) {
    return {
      name: t("doctor.check.Pusher"),
      status: "fail",
      detail: (error as Error).message,
      fix: t("doctor.pusher.fix"),
    };
  } finally {
    client.disconnect();
  }
}

const MARK = { ok: "✔", fail: "✘", skip: "–", warn: "!" } as const;

/**
 * How the agent's connections are protected, from the configuration alone. The URLs were already
 * refused at load time unless they are https:// or loopback; SQL Server is where the admin chooses.
 */
export function checkTransport(config: AgentConfig): CheckResult[] {
  const results: CheckResult[] = [];
  const urls: [string, string | null][] = [
    ["PUENTE_API_URL", config.api.url],
    ["WISPRO_API_URL", config.wispro?.baseUrl ?? null],
  ];
  for (const [variable, url] of urls) {
    if (url === null) continue;
    results.push(
      url.startsWith("https://")
        ? {
          name: t("doctor.check.Transport", { what: variable }),
          status: "ok",
          detail: t("doctor.transport.https"),
        }
        : {
          name: t("doctor.check.Transport", { what: variable }),
          status: "warn",
          detail: t("doctor.transport.loopback"),
          fix: t("doctor.transport.fixHttp"),
        },
    );
  }
  const sql = config.ferrawin;
  if (sql === null) return results;
  if (!sql.encrypt) {
    results.push({
      name: t("doctor.check.Transport", { what: "SQL Server" }),
      status: "warn",
      detail: t("doctor.transport.sqlPlain"),
      fix: t("doctor.transport.fixSqlPlain"),
    });
  } else if (sql.trustServerCertificate) {
    results.push({
      name: t("doctor.check.Transport", { what: "SQL Server" }),
      status: "warn",
      detail: t("doctor.transport.sqlUnverified"),
      fix: t("doctor.transport.fixSqlUnverified"),
    });
  } else {
    results.push({
      name: t("doctor.check.Transport", { what: "SQL Server" }),
      status: "ok",
      detail: t("doctor.transport.sqlOk"),
    });
  }
  return results;
}

export function formatCheck(result: CheckResult): string {
  const line = `${MARK[result.status]} ${result.name}: ${result.detail}`;
  return result.fix && result.status !== "ok" ? `${line}\n    → ${result.fix}` : line;
}

/** Runs every check, printing each line as it completes; returns the process exit code. */
export async function doctorCommand(
  options: { envFile?: string; timeoutMs: number; print?: (line: string) => void },
): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  const results: CheckResult[] = [];
  const report = (result: CheckResult) => {
    results.push(result);
    print(formatCheck(result));
  };
  let config: AgentConfig;
  try {
    config = loadConfig({ envFile: options.envFile });
  } catch (error) {
    if (!(error instanceof ConfigInvalid)) throw error;
    for (const problem of error.problems) {
      report({
        name: t("doctor.check.Configuration"),
        status: "fail",
        detail: problem,
        fix: t("doctor.config.fix"),
      });
    }
    return 1;
  }
  const where = describeConfig(config);
  report({
    name: t("doctor.check.Configuration"),
    status: "ok",
    detail: t("doctor.config.ok", { envFile: String(where[".env"]), api: String(where.API) }),
  });
  for (const result of checkTransport(config)) report(result);
  const unrouteProxy = routePusherThroughProxy(config.proxy, config.noProxy);
  const edge = createEdgeClient({
    baseUrl: config.api.url,
    agentKey: config.api.agentKey,
    timeoutMs: options.timeoutMs,
    retry: { limit: 0 },
    proxy: config.proxy,
    noProxy: config.noProxy,
  });
  const apiHost = new URL(config.api.url).host;
  for (const result of await checkApi(edge, options.timeoutMs, apiHost, config.proxy)) {
    report(result);
  }
  report(await checkSqlServer(config, options.timeoutMs));
  report(await checkWispro(config, options.timeoutMs));
  report(await checkPusher(config, edge, options.timeoutMs).finally(unrouteProxy));
  const failed = results.filter((r) => r.status === "fail").length;
  print(`\n${failed ? t("doctor.failed", { count: failed }) : t("doctor.passed")}`);
  return failed ? 1 : 0;
}
