// Email and password sign-in through supabase-js, and "forgot your password", which has Supabase Auth
// email a link to choose a new one (the answer is the same whether or not the email is registered).
import { createSignal, Show } from "solid-js";
import type { Api } from "../../api/client.ts";
import { t } from "../../i18n/i18n.ts";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";
import { TextField } from "../../components/TextField.tsx";

export function Login(
  props: {
    api: Api;
    problem?: "noRole" | "linkInvalid" | null;
    notice?: "passwordSaved" | null;
  },
) {
  const [email, setEmail] = createSignal("");
  const [password, setPassword] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const [failed, setFailed] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  const [isRecoverySent, setRecoverySent] = createSignal(false);
  const forgot = async () => {
    setError(null);
    const { error: authError } = await props.api.supabase.auth.resetPasswordForEmail(
      email().trim(),
      { redirectTo: globalThis.location?.origin },
    );
    if (authError) setError(authError);
    else setRecoverySent(true);
  };

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
        <TextField
          id="login-email"
          label={t("login.email")}
          type="email"
          autocomplete="username"
          value={email()}
          onInput={setEmail}
        />
        <TextField
          id="login-password"
          label={t("login.password")}
          type="password"
          autocomplete="current-password"
          value={password()}
          onInput={setPassword}
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
        <button
          type="button"
          class="btn btn-link"
          data-testid="login-forgot"
          disabled={email().trim() === ""}
          onClick={() => void forgot()}
        >
          {t("login.forgot")}
        </button>
        <Show when={isRecoverySent()}>
          <p class="muted" role="status" data-testid="login-forgot-sent">{t("login.forgotSent")}</p>
        </Show>
        <Show when={props.notice === "passwordSaved"}>
          <p class="muted" role="status" data-testid="password-saved">{t("password.saved")}</p>
        </Show>
        <Show when={props.problem === "noRole"}>
          <p class="field-error" role="alert" data-testid="login-no-role">{t("login.noRole")}</p>
        </Show>
        <Show when={props.problem === "linkInvalid"}>
          <p class="field-error" role="alert" data-testid="link-invalid">
            {t("password.linkInvalid")}
          </p>
        </Show>
        <ErrorNotice error={error()} testId="login-error" />
      </form>
    </main>
  );
}
