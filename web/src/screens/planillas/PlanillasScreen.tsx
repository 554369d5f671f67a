// The Planillas screen: find a planilla by the code people type, then its status, its journal as a
// timeline, its elementos with totals, and "Sincronizar esta planilla"; it follows live runs (planilla-data).
import { createSignal, For, Show } from "solid-js";
import {
  findPlanillas,
  type OpenReject,
  type PlanillaSearch,
  planillaStatus,
} from "../../api/planillas.ts";
import { t } from "../../i18n/i18n.ts";
import { useApp } from "../../app/context.ts";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";
import { MAX_QUERY_LENGTH, readPlanillaQuery } from "./code.ts";
import { RejectList } from "./RejectList.tsx";
import { ElementosCard } from "./ElementosCard.tsx";
import { JournalTimeline } from "./JournalTimeline.tsx";
import { createPlanillaData } from "./planilla-data.ts";
import { StatusCard } from "./StatusCard.tsx";
import "./planillas.css";

export function PlanillasScreen(props: { autofocus?: boolean }) {
  const app = useApp();
  const [text, setText] = createSignal("");
  const [searching, setSearching] = createSignal<string | null>(null);
  const [answer, setAnswer] = createSignal<PlanillaSearch | null>(null);
  const [problem, setProblem] = createSignal<unknown>(null);
  const [codigo, setCodigo] = createSignal<string | null>(null);
  // A planilla that never landed can still have rejects (e.g. no valid obra): say why it is missing.
  const [missingRejects, setMissingRejects] = createSignal<OpenReject[]>([]);

  const search = async (e: Event) => {
    e.preventDefault();
    const query = readPlanillaQuery(text());
    if (query.kind === "empty") return;
    setSearching(query.kind === "code" ? query.codigo : query.text);
    setProblem(null);
    try {
      const found = await findPlanillas(app.api, query.text);
      setMissingRejects(
        !found.found && found.codigo
          ? (await planillaStatus(app.api, found.codigo)).open_rejects
          : [],
      );
      setAnswer(found);
      setCodigo(found.found ? found.codigo : null);
    } catch (error) {
      setProblem(error);
    } finally {
      setSearching(null);
    }
  };
  const open = (code: string) => {
    setAnswer(null);
    setText(code);
    setCodigo(code);
  };

  return (
    <section class="planillas" data-testid="planillas">
      <form
        class="card planillas-search"
        onSubmit={search}
        data-testid="planillas-search"
        novalidate
      >
        <label for="planillas-query">{t("planillas.search")}</label>
        <div class="row">
          <input
            id="planillas-query"
            data-testid="planillas-query"
            inputmode="text"
            autocomplete="off"
            maxLength={MAX_QUERY_LENGTH}
            placeholder={t("planillas.searchPlaceholder")}
            ref={(el) => props.autofocus && queueMicrotask(() => el.focus())}
            value={text()}
            onInput={(e) => setText(e.currentTarget.value)}
          />
          <button type="submit" class="btn btn-primary" data-testid="planillas-search-submit">
            {t("planillas.searchButton")}
          </button>
        </div>
        <p class="muted small">{t("planillas.searchHint")}</p>
        <Show when={searching()}>
          {(what) => (
            <p class="muted small" role="status">{t("planillas.searching", { codigo: what() })}</p>
          )}
        </Show>
        <ErrorNotice error={problem()} testId="planillas-error" />
        <Show when={answer() && !answer()!.found ? answer() : null}>
          {(missing) => <NotFound answer={missing()} rejects={missingRejects()} onPick={open} />}
        </Show>
      </form>
      <Show when={codigo()} keyed>
        {(code) => <PlanillaView codigo={code} />}
      </Show>
    </section>
  );
}

function NotFound(
  props: { answer: PlanillaSearch; rejects: OpenReject[]; onPick: (codigo: string) => void },
) {
  return (
    <div class="notice notice-warn" role="alert" data-testid="planillas-not-found">
      <strong>
        {props.answer.codigo
          ? t("planillas.notFound", { codigo: props.answer.codigo })
          : t("planillas.notACode", { text: props.answer.query.trim() })}
      </strong>
      <Show when={props.rejects.length > 0}>
        <span>{t("planillas.openRejects")}:</span>
        <RejectList rejects={props.rejects} testId="planillas-missing-rejects" />
      </Show>
      <Show
        when={props.answer.suggestions.length > 0}
        fallback={<span>{t("planillas.noSuggestions")}</span>}
      >
        <span>{t("planillas.suggestions")}</span>
        <ul class="suggestions" data-testid="planillas-suggestions">
          <For each={props.answer.suggestions}>
            {(s) => (
              <li>
                <button
                  type="button"
                  class="btn btn-link"
                  data-testid="planillas-suggestion"
                  data-codigo={s.codigo}
                  onClick={() => props.onPick(s.codigo)}
                >
                  <strong class="mono">{s.codigo}</strong>
                  <span class="muted small">
                    {[s.descripcion, s.obra_nombre ?? s.obra_codigo].filter(Boolean).join(" · ")}
                  </span>
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}

function PlanillaView(props: { codigo: string }) {
  const app = useApp();
  const data = createPlanillaData(app, props.codigo);
  return (
    <div
      class="planilla-view"
      data-testid="planilla-view"
      data-codigo={props.codigo}
      data-refreshes={data.refreshes()}
      data-loading={data.loading() ? "true" : "false"}
    >
      <ErrorNotice error={data.error()} testId="planilla-error" />
      <StatusCard codigo={props.codigo} data={data} />
      <JournalTimeline data={data} />
      <ElementosCard data={data} />
    </div>
  );
}
