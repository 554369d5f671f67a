// The realtime store: follows private-sync-status and presence-agents through pusher-js, folds each event
// into a Solid store with the pure reducers, and re-reads the database on every (re)connect so a missed
// event never leaves a stale screen.
import Pusher from "pusher-js";
import { createSignal } from "solid-js";
import { createStore, reconcile } from "solid-js/store";
import {
  AgentHeartbeatEvent,
  Channels,
  EventNames,
  RunFinishedEvent,
  RunProgressEvent,
} from "@puente/protocol";
import type { Api, RunFilters } from "../api/client.ts";
import {
  applyConnection,
  applyHeartbeat,
  applyOverview,
  applyPresence,
  applyRunFinished,
  applyRunList,
  applyRunProgress,
  type ConnectionState,
  emptySyncState,
  isKnownRun,
  type SyncState,
} from "./reducers.ts";

export interface SyncStore {
  state: SyncState;
  /** Re-reads overview and history from the database (also the "Actualizar" button). */
  reconcileNow(): Promise<void>;
  setHistoryFilters(filters: RunFilters): Promise<void>;
  /** Called after every live event, e.g. to refresh an open run's log. */
  onEvent(listener: (runId: string | null) => void): () => void;
  lastError(): unknown;
  stop(): void;
}

interface PresenceMembers {
  each(callback: (member: { id: string }) => void): void;
}

/** Start only with a signed-in session: private channels are authorized with its access token. */
export function createSyncStore(api: Api, accessToken: string): SyncStore {
  const [state, setState] = createStore<SyncState>(emptySyncState());
  let current: SyncState = emptySyncState();
  const update = (next: SyncState) => {
    current = next;
    setState(reconcile(next, { key: "id", merge: true }));
  };
  let historyFilters: RunFilters = {};
  const [lastError, setLastError] = createSignal<unknown>(null);
  const listeners = new Set<(runId: string | null) => void>();
  const notify = (runId: string | null) => listeners.forEach((l) => l(runId));

  async function reconcileNow(): Promise<void> {
    try {
      const [overview, runs] = await Promise.all([
        api.syncOverview(),
        api.listRuns(historyFilters),
      ]);
      update(applyRunList(applyOverview(current, overview, new Date().toISOString()), runs));
      setLastError(null);
    } catch (error) {
      setLastError(error);
      console.warn("puente: reconcile failed", error);
    }
    notify(null);
  }

  // pusher-js asks headersProvider synchronously, so keep the freshest token at hand.
  let currentToken = accessToken;
  const pusher = new Pusher(api.config.pusher.key, {
    cluster: api.config.pusher.cluster,
    wsHost: api.config.pusher.wsHost,
    wsPort: api.config.pusher.wsPort,
    wssPort: api.config.pusher.wsPort,
    forceTLS: api.config.pusher.forceTLS,
    enabledTransports: ["ws", "wss"],
    disableStats: true,
    channelAuthorization: {
      endpoint: `${api.functionsUrl}/pusher/auth`,
      transport: "ajax",
      headersProvider: () => ({
        Authorization: `Bearer ${currentToken}`,
        apikey: api.config.anonKey,
      }),
    },
  });

  const { data: authListener } = api.supabase.auth.onAuthStateChange((_event, session) => {
    if (session) currentToken = session.access_token;
  });

  pusher.connection.bind("state_change", (change: { current: string }) => {
    update(applyConnection(current, change.current as ConnectionState));
    if (change.current === "connected") void reconcileNow();
  });

  const status = pusher.subscribe(Channels.syncStatus);
  status.bind(EventNames.runProgress, (data: unknown) => {
    const event = RunProgressEvent.safeParse(data);
    if (!event.success) return console.warn("puente: bad run.progress", event.error);
    const isNew = !isKnownRun(current, event.data.runId);
    update(applyRunProgress(current, event.data));
    // An event carries no command id, params or start time: read a new run's summary once.
    if (isNew) void reconcileNow();
    notify(event.data.runId);
  });
  status.bind(EventNames.runFinished, (data: unknown) => {
    const event = RunFinishedEvent.safeParse(data);
    if (!event.success) return console.warn("puente: bad run.finished", event.error);
    update(applyRunFinished(current, event.data));
    notify(event.data.runId);
    // Totals and year counts change when a run ends: read them again.
    void reconcileNow();
  });
  status.bind(EventNames.agentHeartbeat, (data: unknown) => {
    const event = AgentHeartbeatEvent.safeParse(data);
    if (!event.success) return console.warn("puente: bad agent.heartbeat", event.error);
    update(applyHeartbeat(current, event.data));
  });

  const presence = pusher.subscribe(Channels.agentsPresence);
  presence.bind("pusher:subscription_succeeded", (members: PresenceMembers) => {
    const ids: string[] = [];
    members.each((m) => ids.push(m.id));
    update(applyPresence(current, { type: "snapshot", memberIds: ids }));
  });
  presence.bind("pusher:member_added", (member: { id: string }) => {
    update(applyPresence(current, { type: "added", memberId: member.id }));
  });
  presence.bind("pusher:member_removed", (member: { id: string }) => {
    update(applyPresence(current, { type: "removed", memberId: member.id }));
  });

  const onOnline = () => {
    if (pusher.connection.state !== "connected") pusher.connect();
    void reconcileNow();
  };
  globalThis.addEventListener?.("online", onOnline);

  // Read the database at once, without waiting for the socket.
  void reconcileNow();

  return {
    state,
    reconcileNow,
    async setHistoryFilters(filters) {
      historyFilters = filters;
      try {
        update(applyRunList(current, await api.listRuns(filters)));
      } catch (error) {
        setLastError(error);
      }
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    lastError,
    stop() {
      globalThis.removeEventListener?.("online", onOnline);
      authListener.subscription.unsubscribe();
      pusher.disconnect();
    },
  };
}
