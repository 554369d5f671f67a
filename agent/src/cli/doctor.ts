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
    return { name: "Clock", status: "warn", detail: "the API sent no Date header to compare with" };
  }
  const skewMs = localNow.getTime() - serverDate.getTime();
  const detail = `${Math.abs(Math.round(skewMs / 1000))} s ${
    skewMs >= 0 ? "ahead of" : "behind"
  } the API`;
  return Math.abs(skewMs) <= MAX_CLOCK_SKEW_MS ? { name: "Clock", status: "ok", detail } : {
    name: "Clock",
    status: "fail",
    detail,
    fix: "set this computer's clock automatically (NTP / Windows time service)",
  };
}

const timeout = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms)
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
        ? { name: "API reachable", status: "ok", detail: `GET /health answered 200` }
        : {
          name: "API reachable",
          status: probe.status === 404 ? "fail" : "warn",
          detail: `GET /health answered ${probe.status}`,
          fix: "check that PUENTE_API_URL ends with /functions/v1/sync",
        },
    );
    results.push(checkClockSkew(probe.serverDate, new Date()));
  } catch (error) {
    const hint = networkHint(error, host, proxy);
    results.push({
      name: "API reachable",
      status: "fail",
      detail: hint ? `${hint.detail} (${(error as Error).message})` : (error as Error).message,
      fix: hint?.fix ?? "check PUENTE_API_URL and this computer's internet connection",
    });
  }
  if (!reachable) {
    results.push({ name: "Agent key", status: "skip", detail: "the API is not reachable" });
    return results;
  }
  try {
    await timeout(
      edge.heartbeat({ version: AGENT_VERSION, hostname: hostname() }),
      timeoutMs,
      "POST /agent/heartbeat",
    );
    results.push({ name: "Agent key", status: "ok", detail: "accepted by the API" });
  } catch (error) {
    results.push({
      name: "Agent key",
      status: "fail",
      detail: (error as Error).message,
      fix: "create a new key in the panel and run `puente-agent init --agent-key <key>`",
    });
  }
  return results;
}

export async function checkSqlServer(config: AgentConfig, timeoutMs: number): Promise<CheckResult> {
  if (!config.ferrawin) {
    return {
      name: "SQL Server",
      status: "skip",
      detail: "FerraWin is not configured (FERRAWIN_HOST)",
    };
  }
  const connection = new FerrawinConnection(config.ferrawin);
  const where = `${ferrawinEndpoint(config.ferrawin)}/${config.ferrawin.database}`;
  try {
    const rows = connection.query("doctor", "SELECT 1 AS ok", {}, AbortSignal.timeout(timeoutMs));
    for await (const _row of rows) break;
    return { name: "SQL Server", status: "ok", detail: `logged in to ${where}` };
  } catch (error) {
    return {
      name: "SQL Server",
      status: "fail",
      detail: redact((error as Error).message, config.secrets),
      // The detail carries the specific next step (SQL Browser and TCP/IP for a named instance, 18456
      // and mixed mode, TLS version, CA); this names every setting involved.
      fix: "check FERRAWIN_HOST (HOST\\INSTANCE: the SQL Server Browser service and the TCP/IP " +
        "protocol), FERRAWIN_PORT, FERRAWIN_AUTH/FERRAWIN_DOMAIN, FERRAWIN_USERNAME, FERRAWIN_PASSWORD " +
        "(18456: mixed-mode authentication), FERRAWIN_ENCRYPT, FERRAWIN_TLS_MIN_VERSION",
    };
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Reads one customer with the token: a refused or unreachable Wispro is named as such. */
export async function checkWispro(config: AgentConfig, timeoutMs: number): Promise<CheckResult> {
  if (!config.wispro) {
    return { name: "Wispro", status: "skip", detail: "not configured (WISPRO_API_TOKEN)" };
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
      name: "Wispro",
      status: "ok",
      detail: `token accepted by ${config.wispro.baseUrl} (${page.totalRecords} customers)`,
    };
  } catch (error) {
    const host = new URL(config.wispro.baseUrl).host;
    const hint = networkHint(error, host, config.proxy);
    return {
      name: "Wispro",
      status: "fail",
      detail: redact(hint?.detail ?? (error as Error).message, config.secrets),
      fix: error instanceof WisproTokenRefused
        ? "create a token in Wispro and run `puente-agent init --force`"
        : hint?.fix ?? "check WISPRO_API_URL and WISPRO_API_TOKEN",
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
      name: "Pusher",
      status: "warn",
      detail: `not configured: commands arrive only by polling every ${
        config.intervals.claimMs / 1000
      } s`,
      fix: "set PUSHER_APP_KEY (and PUSHER_HOST / PUSHER_PORT for a self-hosted server)",
    };
  }
  if (!config.api.agentId) {
    return {
      name: "Pusher",
      status: "fail",
      detail: "PUENTE_AGENT_ID is not set, so the agent cannot subscribe to its channel",
      fix: "copy the agent id from the panel: `puente-agent init --agent-id <id>`",
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
            reject(new Error(`the connection is ${current}`));
          }
        });
        const channel = client.subscribe(channelName);
        channel.bind("pusher:subscription_succeeded", () => resolve());
        channel.bind(
          "pusher:subscription_error",
          (error: unknown) => reject(new Error(`subscription refused: ${JSON.stringify(error)}`)),
        );
      }),
      timeoutMs,
      "Pusher",
    );
    return { name: "Pusher", status: "ok", detail: `connected and subscribed ${channelName}` };
  } catch (error) {
    return {
      name: "Pusher",
      status: "fail",
      detail: (error as Error).message,
      fix: "check PUSHER_APP_KEY, PUSHER_APP_CLUSTER or PUSHER_HOST/PUSHER_PORT/PUSHER_USE_TLS, " +
        "and that outbound WebSocket connections are allowed",
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
          name: `Transport ${variable}`,
          status: "ok",
          detail: "https (TLS, certificate verified)",
        }
        : {
          name: `Transport ${variable}`,
          status: "warn",
          detail: "plain http, accepted only because the address is loopback (this machine)",
          fix: "use https:// for anything that leaves this machine; http:// is refused there",
        },
    );
  }
  const sql = config.ferrawin;
  if (sql === null) return results;
  if (!sql.encrypt) {
    results.push({
      name: "Transport SQL Server",
      status: "warn",
      detail: "not encrypted (FERRAWIN_ENCRYPT=false): anyone on the LAN can read the planillas, " +
        "and the login is protected only by an unverified TLS handshake",
      fix: "give SQL Server a certificate and set FERRAWIN_ENCRYPT=true",
    });
  } else if (sql.trustServerCertificate) {
    results.push({
      name: "Transport SQL Server",
      status: "warn",
      detail:
        "encrypted, but the certificate is NOT verified (FERRAWIN_TRUST_SERVER_CERTIFICATE=true): " +
        "someone on the LAN can pose as the server and read the SQL password",
      fix: "install a certificate this PC trusts on SQL Server and remove " +
        "FERRAWIN_TRUST_SERVER_CERTIFICATE (it defaults to false when encrypting)",
    });
  } else {
    results.push({
      name: "Transport SQL Server",
      status: "ok",
      detail: "encrypted, certificate verified",
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
        name: "Configuration",
        status: "fail",
        detail: problem,
        fix: "run `puente-agent init` or edit the .env file",
      });
    }
    return 1;
  }
  const where = describeConfig(config);
  report({
    name: "Configuration",
    status: "ok",
    detail: `read ${where[".env"]}, API ${where.API}`,
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
  print(failed ? `\n${failed} check(s) failed.` : "\nAll checks passed.");
  return failed ? 1 : 0;
}
