// The admin panel: tabs for syncing (start + live runs), planillas, agents, and history; stacks into one
// column on phones.
import { createSignal, For, Show } from "solid-js";
import { t } from "../i18n/i18n.ts";
import { isFinalStatus } from "../realtime/reducers.ts";
import { useApp } from "./context.ts";
import { Agents } from "../screens/agents/Agents.tsx";
import { History } from "../screens/history/History.tsx";
import { LiveRun } from "../screens/live-run/LiveRun.tsx";
import { StartSync } from "../screens/start-sync/StartSync.tsx";
import { Totals } from "../components/Totals.tsx";
import { PlanillasScreen } from "../screens/planillas/PlanillasScreen.tsx";

type Tab = "sync" | "planillas" | "agents" | "history";
const TABS: Tab[] = ["sync", "planillas", "agents", "history"];

export function AdminLayout() {
  const app = useApp();
  const [tab, setTab] = createSignal<Tab>("sync");
  const activeRuns = () => app.store.state.liveRuns.filter((r) => !isFinalStatus(r.status));
  const lastFinished = () => app.store.state.liveRuns.find((r) => isFinalStatus(r.status)) ?? null;
  return (
    <div class="admin" data-testid="admin-layout">
      <nav class="tabs main-tabs" aria-label="Puente">
        <For each={TABS}>
          {(name) => (
            <button
              type="button"
              class="tab"
              aria-current={tab() === name ? "page" : undefined}
              data-testid={`nav-${name}`}
              onClick={() => setTab(name)}
            >
              {t(`nav.${name}`)}
            </button>
          )}
        </For>
      </nav>
      <Show when={tab() === "sync"}>
        <Totals />
        <div class="admin-grid">
          <StartSync />
          <div class="stack" data-testid="live-runs">
            <For each={activeRuns()} fallback={<LiveRun run={lastFinished()} canCancel />}>
              {(run) => <LiveRun run={run} canCancel />}
            </For>
          </div>
        </div>
      </Show>
      <Show when={tab() === "agents"}>
        <Agents />
      </Show>
      <Show when={tab() === "planillas"}>
        <PlanillasScreen />
      </Show>
      <Show when={tab() === "history"}>
        <History showSourceFilter />
      </Show>
    </div>
  );
}
