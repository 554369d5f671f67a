// The app's flow: offline screen when the device is offline, sign-in without a session, then the layout for
// the user's role (admin panel or field-staff phone screen) around one realtime store.
import { createSignal, Match, onCleanup, Show, Switch } from "solid-js";
import type { Session } from "@supabase/supabase-js";
import { Api, type Role, roleOf } from "../api/client.ts";
import { emailLinkFrom } from "../api/email-link.ts";
import { isLocalTarget, type RuntimeConfig } from "../config.ts";
import { createSyncStore } from "../realtime/store.ts";
import { AdminLayout } from "./AdminLayout.tsx";
import { AppContext, type AppContextValue, createClock } from "./context.ts";
import { ErrorNotice } from "../components/ErrorNotice.tsx";
import { Header } from "./Header.tsx";
import { Login } from "../screens/login/Login.tsx";
import { SetPassword } from "../screens/login/SetPassword.tsx";
import { createOnlineSignal, OfflineScreen } from "../screens/offline/OfflineScreen.tsx";
import { StaffLayout } from "./StaffLayout.tsx";

export function App(props: { config: RuntimeConfig }) {
  // Before the Api exists: supabase-js takes the session out of the URL fragment and clears it.
  const link = emailLinkFrom(globalThis.location?.hash ?? "");
  const api = new Api(props.config);
  const [mustSetPassword, setMustSetPassword] = createSignal(link?.kind === "setPassword");
  const [isPasswordSaved, setPasswordSaved] = createSignal(false);
  const isLocal = isLocalTarget(props.config.supabaseUrl);
  const [session, setSession] = createSignal<Session | null>(null);
  const [ready, setReady] = createSignal(false);
  const online = createOnlineSignal();

  void api.supabase.auth.getSession().then(({ data }) => {
    setSession(data.session);
    setReady(true);
  });
  const { data: listener } = api.supabase.auth.onAuthStateChange((event, next) => {
    // Token refreshes keep the same user: only a different user (or none) rebuilds the signed-in tree.
    setSession(next);
    if (event === "PASSWORD_RECOVERY") setMustSetPassword(true);
  });
  onCleanup(() => listener.subscription.unsubscribe());

  const role = () => roleOf(session());
  const logout = () => void api.supabase.auth.signOut();

  return (
    <>
      <Show when={!online.isOnline()}>
        <OfflineScreen onRetry={() => void online.probe()} />
      </Show>
      <Show when={ready()} fallback={<p class="muted center-page">…</p>}>
        <Switch>
          <Match when={session() && mustSetPassword()}>
            <Header isLocalTarget={isLocal} onLogout={logout} />
            <SetPassword
              api={api}
              onSaved={() => {
                setMustSetPassword(false);
                setPasswordSaved(true);
              }}
            />
          </Match>
          <Match when={!session() || !role()}>
            <Header isLocalTarget={isLocal} onLogout={session() ? logout : undefined} />
            <Login
              api={api}
              notice={isPasswordSaved() ? "passwordSaved" : null}
              problem={link?.kind === "invalid" && !session()
                ? "linkInvalid"
                : session() && !role() && !isPasswordSaved()
                ? "noRole"
                : null}
            />
          </Match>
          <Match when={`${session()?.user.id}:${role()}`} keyed>
            {(_identity) => (
              <SignedIn
                api={api}
                role={role()!}
                token={session()!.access_token}
                isLocal={isLocal}
                onLogout={logout}
              />
            )}
          </Match>
        </Switch>
      </Show>
    </>
  );
}

function SignedIn(
  props: { api: Api; role: Role; token: string; isLocal: boolean; onLogout: () => void },
) {
  const store = createSyncStore(props.api, props.token);
  onCleanup(() => store.stop());
  const [agentId, setAgentId] = createSignal<string | null>(null);
  const context: AppContextValue = {
    api: props.api,
    store,
    role: props.role,
    agentId,
    setAgentId,
    now: createClock(),
    isLocalTarget: props.isLocal,
  };
  return (
    <AppContext.Provider value={context}>
      <div class={`shell role-${props.role}`} data-testid="app-shell" data-role={props.role}>
        <Header app={context} isLocalTarget={props.isLocal} onLogout={props.onLogout} />
        <div class="shell-notice">
          <ErrorNotice error={store.lastError()} testId="sync-error" />
        </div>
        <Show when={props.role === "admin"} fallback={<StaffLayout />}>
          <AdminLayout />
        </Show>
      </div>
    </AppContext.Provider>
  );
}
