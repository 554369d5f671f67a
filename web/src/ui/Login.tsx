// Email and password sign-in through supabase-js.
import { createSignal, Show } from "solid-js";
import type { Api } from "../api/client.ts";
import { t } from "../i18n/i18n.ts";
import { ErrorNotice } from "./ErrorNotice.tsx";

export function Login(props: { api: Api; problem?: "noRole" | null }) {
  const [email, setEmail] = createSignal("");
  const [password, setPassword] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const [failed, setFailed] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setFailed(false);
    setError(null);
    try {
      const { error: authError } = await props.api.supabase.auth.signInWithPassword({
        email: email().trim(),
        password: password(),
      });
      if (authError) {
        if (authError.status === 400 || authError.status === 401) setFailed(true);
        else setError(authError);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login" data-testid="login-screen">
      <form class="card login-card" onSubmit={submit} data-testid="login-form">
        <h2>{t("login.title")}</h2>
        <label for="login-email">{t("login.email")}</label>
        <input
          id="login-email"
          type="email"
          autocomplete="username"
          required
          data-testid="login-email"
          value={email()}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
        <label for="login-password">{t("login.password")}</label>
        <input
          id="login-password"
          type="password"
          autocomplete="current-password"
          required
          data-testid="login-password"
          value={password()}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <button
          type="submit"
          class="btn btn-primary btn-wide"
          data-testid="login-submit"
          disabled={busy()}
        >
          {busy() ? t("login.submitting") : t("login.submit")}
        </button>
        <Show when={failed()}>
          <p class="field-error" role="alert" data-testid="login-failed">{t("login.failed")}</p>
        </Show>
        <Show when={props.problem === "noRole"}>
          <p class="field-error" role="alert" data-testid="login-no-role">{t("login.noRole")}</p>
        </Show>
        <ErrorNotice error={error()} testId="login-error" />
      </form>
    </main>
  );
}
