// How a run is named on screen: its status badge, the old monitor's state and remote-status words, its mode.
import type { RunSummary } from "@puente/protocol";
import { es, type MessageKey } from "../i18n/dictionary.ts";
import { t } from "../i18n/i18n.ts";
import { isFinalStatus } from "../realtime/reducers.ts";

export function statusLabel(status: string): string {
  return t(`status.${status}` as MessageKey);
}

/** "En ejecución / Pausando… / Pausado / Detenido", as the replaced monitor named them. */
export function runStateKey(run: RunSummary | null, isPausing: boolean): MessageKey {
  if (!run) return "state.stopped";
  if (run.status === "running" || run.status === "queued") {
    return isPausing ? "state.pausing" : "state.running";
  }
  if (run.status === "paused") return "state.paused";
  return "state.stopped";
}

/**
 * The agent's state beside a run, labelled as the agent's ("Agente: En ejecución"); none once the run is
 * over, where it would only repeat the run's own final status.
 */
export function agentStateLabel(run: RunSummary, isPausing: boolean): string | null {
  if (isFinalStatus(run.status)) return null;
  return t("run.agentState", { state: t(runStateKey(run, isPausing)) });
}

/** The remote-status card: "Sincronizando… / Finalizado / Pausado / Error / En espera". */
export function remoteStatusKey(run: RunSummary | null): MessageKey {
  switch (run?.status) {
    case "running":
      return "remote.running";
    case "completed":
      return "remote.completed";
    case "paused":
      return "remote.paused";
    case "failed":
    case "stalled":
      return "remote.error";
    default:
      return "remote.waiting";
  }
}

export function modeLabel(run: RunSummary): string {
  const key = `mode.${run.mode}` as MessageKey;
  let label = key in es ? t(key) : run.mode;
  const year = run.params["year"];
  const code = run.params["code"];
  if (typeof year === "number") label += ` ${year}`;
  if (typeof code === "string") label += ` ${code}`;
  return label;
}

/** A reject reason in words ("Planilla sin obra válida"), or the code itself when it has none. */
export function reasonLabel(reason: string): string {
  const key = `reason.${reason}`;
  return key in es ? t(key as MessageKey) : reason;
}
