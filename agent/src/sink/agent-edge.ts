// The edge client as the agent's commands use it: the configuration's key, timeouts, retry and outage
// policy, with retries and outages reported through the logger (and `status`, for an outage).
import type { AgentConfig } from "../config.ts";
import type { Logger } from "../status/log.ts";
import { reportApiWaiting } from "../status/api-waiting.ts";
import { createEdgeClient, type EdgeClient } from "./edge-client.ts";
import { outagePolicy } from "./outage.ts";

export function createAgentEdgeClient(config: AgentConfig, logger: Logger): EdgeClient {
  return createEdgeClient({
    baseUrl: config.api.url,
    agentKey: config.api.agentKey,
    timeoutMs: config.http.timeoutMs,
    retry: { limit: config.http.retryLimit },
    outage: outagePolicy(config.http.outageWaitMs),
    onRetry: (route, attempt, reason) => logger.warn(`retry ${attempt} of ${route}: ${reason}`),
    onWaiting: reportApiWaiting(config.stateDir, logger),
    proxy: config.proxy,
    noProxy: config.noProxy,
  });
}
