// What every screen shares once signed in: the API, the realtime store, the role, the chosen agent, a ticking clock.
import { type Accessor, createContext, createSignal, onCleanup, useContext } from "solid-js";
import type { Api, CommandInput, Role } from "../api/client.ts";
import type { SyncStore } from "../realtime/store.ts";
import { currentRun, isFinalStatus } from "../realtime/reducers.ts";

export interface AppContextValue {
  api: Api;
  store: SyncStore;
  role: Role;
  /** The agent commands go to. */
  agentId: Accessor<string | null>;
  setAgentId: (id: string) => void;
  /** Milliseconds, ticking every second, for "hace X" texts. */
  now: Accessor<number>;
  isLocalTarget: boolean;
}

export const AppContext = createContext<AppContextValue>();

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error("useApp() outside <AppContext.Provider>");
  return value;
}

export function createClock(intervalMs = 1000): Accessor<number> {
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), intervalMs);
  onCleanup(() => clearInterval(timer));
  return now;
}

/** One button's command: busy while it travels, the error if it failed, the id it was accepted under. */
export function createCommand(api: Api) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  const [acceptedId, setAcceptedId] = createSignal<string | null>(null);
  async function send(input: CommandInput): Promise<boolean> {
    setBusy(true);
    setError(null);
    setAcceptedId(null);
    try {
      setAcceptedId((await api.sendCommand(input)).commandId);
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { send, busy, error, acceptedId, clearError: () => setError(null) };
}

/**
 * A button that starts a FerraWin sync on the chosen agent: its command, the agent's FerraWin run on
 * screen, and whether a start must wait (the command is on its way, or a run has not ended).
 */
export function createFerrawinStart(app: AppContextValue) {
  const command = createCommand(app.api);
  const run = () => currentRun(app.store.state, app.agentId(), "ferrawin");
  const isBusy = () => {
    const r = run();
    return command.busy() || (r !== null && !isFinalStatus(r.status));
  };
  return { command, run, isBusy };
}
