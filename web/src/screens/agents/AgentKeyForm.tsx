// Creating an agent: its name, then its key, shown once, with copy (or selection when the clipboard is
// refused) and "Hecho".
import { createSignal, Show } from "solid-js";
import type { CreatedAgent } from "../../api/rpc-shapes.ts";
import { t } from "../../i18n/i18n.ts";

export function AgentKeyForm(props: {
  /** Creates the agent; resolves with its key, or null when it failed (the screen shows why). */
  onCreate: (name: string) => Promise<CreatedAgent | null>;
}) {
  const [name, setName] = createSignal("");
  const [created, setCreated] = createSignal<CreatedAgent | null>(null);
  const [copied, setCopied] = createSignal(false);
  let keyInput: HTMLInputElement | undefined;

  const create = async (e: Event) => {
    e.preventDefault();
    const agentName = name().trim();
    if (!agentName) return;
    const agent = await props.onCreate(agentName);
    if (!agent) return;
    setCopied(false);
    setCreated(agent);
    setName("");
  };
  const copyKey = async () => {
    const key = created()?.key;
    if (!key) return;
    try {
      await navigator.clipboard.writeText(key);
      setCopied(true);
    } catch {
      keyInput?.select();
    }
  };

  return (
    <>
      <form class="row" onSubmit={create} data-testid="agent-create-form">
        <label for="agent-name-input" class="sr-only">{t("agent.name")}</label>
        <input
          id="agent-name-input"
          data-testid="agent-name-input"
          placeholder={t("keys.namePlaceholder")}
          value={name()}
          onInput={(e) => setName(e.currentTarget.value)}
          maxLength={200}
        />
        <button
          type="submit"
          class="btn btn-primary"
          data-testid="agent-create"
          disabled={!name().trim()}
        >
          {t("keys.create")}
        </button>
      </form>
      <Show when={created()}>
        {(c) => (
          <div class="notice notice-key" role="status" data-testid="agent-key-created">
            <p>{t("keys.shownOnce")}</p>
            <div class="row">
              <label for="agent-key-value" class="sr-only">{t("keys.title")}</label>
              <input
                ref={keyInput}
                id="agent-key-value"
                class="mono"
                readOnly
                value={c().key}
                data-testid="agent-key-value"
                onFocus={(e) => e.currentTarget.select()}
              />
              <button
                type="button"
                class="btn btn-secondary"
                data-testid="agent-key-copy"
                onClick={copyKey}
              >
                {copied() ? t("keys.copied") : t("keys.copy")}
              </button>
              <button
                type="button"
                class="btn btn-secondary"
                data-testid="agent-key-done"
                onClick={() => setCreated(null)}
              >
                {t("keys.done")}
              </button>
            </div>
          </div>
        )}
      </Show>
    </>
  );
}
