// The page an invite or recovery link lands on: the person, signed in by the link, chooses their own
// password (supabase-js updateUser). Nobody else ever picks or sees it.
import { createSignal, Show } from "solid-js";
import type { Api } from "../../api/client.ts";
import { MIN_PASSWORD_LENGTH, newPasswordProblem } from "../../api/email-link.ts";
import { t } from "../../i18n/i18n.ts";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";
import { TextField } from "../../components/TextField.tsx";

export function SetPassword(props: { api: Api; onSaved: () => void }) {
  const [password, setPassword] = createSignal("");
  const [repeated, setRepeated] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const [problem, setProblem] = createSignal<"tooShort" | "mismatch" | null>(null);
  const [error, setError] = createSignal<unknown>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setProblem(newPasswordProblem(password(), repeated()));
    if (problem()) return;
    setBusy(true);
    try {
      const { error: authError } = await props.api.supabase.auth.updateUser({
        password: password(),
      });
      if (authError) setError(authError);
      else props.onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login" data-testid="set-password-screen">
      <form class="card login-card" onSubmit={submit}>
        <h2>{t("password.title")}</h2>
        <p class="muted">{t("password.intro")}</p>
        <TextField
          id="new-password"
          label={t("password.new")}
          type="password"
          autocomplete="new-password"
          value={password()}
          onInput={setPassword}
        />
        <TextField
          id="repeat-password"
          label={t("password.repeat")}
          type="password"
          autocomplete="new-password"
          value={repeated()}
          onInput={setRepeated}
        />
        <button
          type="submit"
          class="btn btn-primary btn-wide"
          data-testid="set-password-submit"
          disabled={busy()}
        >
          {busy() ? t("password.saving") : t("password.submit")}
        </button>
        <Show when={problem()}>
          <p class="field-error" role="alert" data-testid="set-password-problem">
            {problem() === "tooShort"
              ? t("password.tooShort", { min: MIN_PASSWORD_LENGTH })
              : t("password.mismatch")}
          </p>
        </Show>
        <ErrorNotice error={error()} testId="set-password-error" />
      </form>
    </main>
  );
}
