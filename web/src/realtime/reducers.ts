// Pure reducers for the live sync state: (state, event or database snapshot) → new state. No I/O, no Solid.
import type {
  AgentHeartbeatEvent,
  RunCounts,
  RunFinishedEvent,
  RunProgressEvent,
  RunSummary,
} from "@puente/protocol";
import { FINAL_RUN_STATUSES } from "@puente/protocol";
import type {
  AgentRow,
  HistoryRun,
  ScheduleRow,
  SyncOverview,
  YearRow,
} from "../api/rpc-shapes.ts";

export type ConnectionState =
  | "initialized"
  | "connecting"
  | "connected"
  | "unavailable"
  | "failed"
  | "disconnected";

export interface AgentView extends AgentRow {
  /** From presence-agents membership: the agent holds a live WebSocket now. */
  isOnline: boolean;
  activeRunId: string | null;
}

/** One throughput sample of a run, for the chart. */
export interface RateSample {
  at: number;
  ratePerS: number;
}

export interface SyncState {
  agents: AgentView[];
  onlineAgentIds: string[];
  /** Runs that are queued, running, paused or stalled, plus ones that finished while the page watched. */
  liveRuns: RunSummary[];
  /** Newest first, as list_runs returned it, with live changes folded in. */
  history: HistoryRun[];
  totals: SyncOverview["totals"];
  years: YearRow[];
  schedules: ScheduleRow[];
  rateSamples: Record<string, RateSample[]>;
  connection: ConnectionState;
  /** When the database was last read (ISO), so the screen can say "actualizado hace X". */
  reconciledAt: string | null;
  /** When the last live event arrived (ISO). */
  lastEventAt: string | null;
}

export const MAX_RATE_SAMPLES = 60;
export const MAX_HISTORY = 200;

export function emptySyncState(): SyncState {
  return {
    agents: [],
    onlineAgentIds: [],
    liveRuns: [],
    history: [],
    totals: { planillas: null, elementos: null, customers: null },
    years: [],
    schedules: [],
    rateSamples: {},
    connection: "initialized",
    reconciledAt: null,
    lastEventAt: null,
  };
}

const finalStatuses: readonly string[] = FINAL_RUN_STATUSES;
export const isFinalStatus = (status: string): boolean => finalStatuses.includes(status);

const newer = (a: string, b: string): boolean => Date.parse(a) > Date.parse(b);

/** Keeps whichever copy of a run is fresher, so an event that raced the database read is not lost. */
function fresher(fromDb: RunSummary, known: RunSummary | undefined): RunSummary {
  if (!known) return fromDb;
  const keepKnown = (isFinalStatus(known.status) && !isFinalStatus(fromDb.status)) ||
    newer(known.updatedAt, fromDb.updatedAt);
  if (!keepKnown) return fromDb;
  // Events never carry what the run was opened with: that comes from the database only.
  const { commandId, params, scheduled, createdAt, startedAt } = fromDb;
  return { ...known, commandId, params, scheduled, createdAt, startedAt };
}

/** Replaces everything the database knows, keeping live-only facts (presence, fresher run copies). */
export function applyOverview(state: SyncState, overview: SyncOverview, at: string): SyncState {
  const previousAgents = new Map(state.agents.map((a) => [a.id, a]));
  const agents = overview.agents.map((row): AgentView => ({
    ...row,
    isOnline: state.onlineAgentIds.includes(row.id),
    activeRunId: previousAgents.get(row.id)?.activeRunId ?? null,
  }));
  const known = new Map(state.liveRuns.map((r) => [r.id, r]));
  const activeIds = new Set(overview.activeRuns.map((r) => r.id));
  const liveRuns = overview.activeRuns.map((r) => fresher(r, known.get(r.id)));
  // A run that finished while we were away is no longer active in the database: keep it only if final.
  for (const run of state.liveRuns) {
    if (!activeIds.has(run.id) && isFinalStatus(run.status)) liveRuns.push(run);
  }
  for (const run of liveRuns) {
    if (run.status === "running" || run.status === "paused" || run.status === "queued") {
      const agent = agents.find((a) => a.id === run.agentId);
      if (agent && !agent.activeRunId) agent.activeRunId = run.id;
    }
  }
  return {
    ...state,
    agents,
    liveRuns: sortRuns(liveRuns),
    totals: overview.totals,
    years: overview.years,
    schedules: overview.schedules,
    reconciledAt: at,
  };
}

/** Whether the state already holds this run (live or in the history). */
export function isKnownRun(state: SyncState, runId: string): boolean {
  return state.liveRuns.some((r) => r.id === runId) || state.history.some((r) => r.id === runId);
}

/** Replaces the history list with what list_runs returned, keeping fresher live copies. */
export function applyRunList(state: SyncState, runs: HistoryRun[]): SyncState {
  const live = new Map(state.liveRuns.map((r) => [r.id, r]));
  return {
    ...state,
    history: runs.map((r) => ({ ...r, ...fresher(r, live.get(r.id)) })).slice(0, MAX_HISTORY),
  };
}

/** A run first known from an event has no requester or reject breakdown until list_runs is read. */
function asHistoryRun(run: RunSummary, known: HistoryRun | undefined): HistoryRun {
  return { requestedBy: null, rejectsByReason: {}, ...known, ...run };
}

function sortRuns(runs: RunSummary[]): RunSummary[] {
  return [...runs].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

function upsertHistory(history: HistoryRun[], run: RunSummary): HistoryRun[] {
  const index = history.findIndex((r) => r.id === run.id);
  if (index === -1) return [asHistoryRun(run, undefined), ...history].slice(0, MAX_HISTORY);
  const next = [...history];
  next[index] = asHistoryRun(run, history[index]);
  return next;
}

/** A run first seen through an event, before the database has been read. */
function runFromProgress(event: RunProgressEvent): RunSummary {
  return {
    id: event.runId,
    agentId: event.agentId,
    commandId: null,
    source: event.source,
    mode: event.mode,
    params: {},
    status: event.status,
    scheduled: false,
    total: event.total,
    done: event.done,
    counts: event.counts,
    cursor: null,
    ratePerS: event.ratePerS,
    lastItem: event.lastItem,
    error: null,
    createdAt: event.updatedAt,
    startedAt: event.updatedAt,
    updatedAt: event.updatedAt,
    finishedAt: null,
  };
}

export function applyRunProgress(state: SyncState, event: RunProgressEvent): SyncState {
  const existing = state.liveRuns.find((r) => r.id === event.runId) ??
    state.history.find((r) => r.id === event.runId);
  // Out-of-order or post-finish progress must never roll a run back.
  if (existing && (isFinalStatus(existing.status) || newer(existing.updatedAt, event.updatedAt))) {
    return state;
  }
  const run: RunSummary = existing
    ? {
      ...existing,
      mode: event.mode,
      status: event.status,
      total: event.total,
      done: event.done,
      counts: event.counts,
      ratePerS: event.ratePerS,
      lastItem: event.lastItem ?? existing.lastItem,
      updatedAt: event.updatedAt,
    }
    : runFromProgress(event);
  const samples = state.rateSamples[run.id] ?? [];
  const rateSamples = event.ratePerS === null ? state.rateSamples : {
    ...state.rateSamples,
    [run.id]: [...samples, { at: Date.parse(event.updatedAt), ratePerS: event.ratePerS }].slice(
      -MAX_RATE_SAMPLES,
    ),
  };
  const liveRuns = sortRuns([...state.liveRuns.filter((r) => r.id !== run.id), run]);
  const agents = state.agents.map((a) => a.id === run.agentId ? { ...a, activeRunId: run.id } : a);
  return {
    ...state,
    liveRuns,
    agents,
    history: upsertHistory(state.history, run),
    rateSamples,
    lastEventAt: event.updatedAt,
  };
}

export function applyRunFinished(state: SyncState, event: RunFinishedEvent): SyncState {
  const existing = state.liveRuns.find((r) => r.id === event.runId) ??
    state.history.find((r) => r.id === event.runId);
  const base: RunSummary = existing ?? runFromProgress({
    runId: event.runId,
    agentId: event.agentId,
    source: event.source,
    mode: "",
    status: event.status,
    total: event.total,
    done: event.done,
    counts: event.counts,
    ratePerS: null,
    lastItem: null,
    updatedAt: event.finishedAt,
  });
  const run: RunSummary = {
    ...base,
    status: event.status,
    done: event.done,
    total: event.total,
    counts: event.counts,
    error: event.error,
    finishedAt: event.finishedAt,
    updatedAt: event.finishedAt,
  };
  const agents = state.agents.map((a) =>
    a.activeRunId === run.id ? { ...a, activeRunId: null } : a
  );
  return {
    ...state,
    agents,
    liveRuns: sortRuns([...state.liveRuns.filter((r) => r.id !== run.id), run]),
    history: upsertHistory(state.history, run),
    lastEventAt: event.finishedAt,
  };
}

export function applyHeartbeat(state: SyncState, event: AgentHeartbeatEvent): SyncState {
  const agents = state.agents.map((a) =>
    a.id === event.agentId
      ? {
        ...a,
        version: event.version,
        hostname: event.hostname,
        lastSeenAt: event.at,
        activeRunId: event.activeRunId,
      }
      : a
  );
  return { ...state, agents, lastEventAt: event.at };
}

export type PresenceChange =
  | { type: "snapshot"; memberIds: string[] }
  | { type: "added"; memberId: string }
  | { type: "removed"; memberId: string };

export function applyPresence(state: SyncState, change: PresenceChange): SyncState {
  let ids: string[];
  if (change.type === "snapshot") ids = [...new Set(change.memberIds)];
  else if (change.type === "added") {
    ids = state.onlineAgentIds.includes(change.memberId)
      ? state.onlineAgentIds
      : [...state.onlineAgentIds, change.memberId];
  } else ids = state.onlineAgentIds.filter((id) => id !== change.memberId);
  return {
    ...state,
    onlineAgentIds: ids,
    agents: state.agents.map((a) => ({ ...a, isOnline: ids.includes(a.id) })),
  };
}

export function applyConnection(state: SyncState, connection: ConnectionState): SyncState {
  // Presence is only known while connected; a dropped socket means we no longer know who is online.
  if (connection === "connected") return { ...state, connection };
  return applyPresence({ ...state, connection }, { type: "snapshot", memberIds: [] });
}

/** The run a screen should show for an agent and source: an active one, else the newest watched one. */
export function currentRun(
  state: SyncState,
  agentId: string | null,
  source?: string,
): RunSummary | null {
  const candidates = state.liveRuns.filter((r) =>
    (agentId === null || r.agentId === agentId) && (source === undefined || r.source === source)
  );
  return candidates.find((r) => !isFinalStatus(r.status)) ?? candidates[0] ?? null;
}

/** Sum of every kind's rejected count. */
export function rejectedTotal(counts: RunCounts): number {
  return Object.values(counts).reduce((sum, c) => sum + (c?.rejected ?? 0), 0);
}
