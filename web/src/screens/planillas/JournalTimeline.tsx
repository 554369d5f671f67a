// The planilla's journal as a timeline, newest first: one plain line per entry (journal-lines.ts), each
// opening its full diff: header changes, elementos added/removed/changed old → new, weight, rejects.
import { createSignal, For, Show } from "solid-js";
import type { JournalEntry } from "../../api/planillas.ts";
import { formatDateTime } from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";
import { ElementosTable } from "./ElementosCard.tsx";
import { MoreButton } from "./MoreButton.tsx";
import { RejectList } from "./RejectList.tsx";
import {
  type DiametroAt,
  diametrosAfterEach,
  type DiffRow,
  journalDiff,
  journalLine,
  modeName,
} from "./journal-lines.ts";
import type { PlanillaData } from "./planilla-data.ts";

export function JournalTimeline(props: { data: PlanillaData }) {
  const diametros = () => diametrosAfterEach(props.data.journal(), props.data.elementos());
  return (
    <section class="card" data-testid="planilla-journal">
      <h2>{t("planillas.journal")}</h2>
      <Show
        when={props.data.journal().length > 0}
        fallback={
          <Show when={!props.data.loading()}>
            <p class="muted" data-testid="journal-empty">{t("planillas.noJournal")}</p>
          </Show>
        }
      >
        <ol class="timeline">
          <For each={props.data.journal()}>
            {(entry, i) => <TimelineEntry entry={entry} diametros={diametros()[i()]!} />}
          </For>
        </ol>
      </Show>
      <MoreButton
        hasMore={props.data.journalNext() !== null}
        onMore={() => void props.data.moreJournal()}
        testId="journal-more"
      />
    </section>
  );
}

function TimelineEntry(props: { entry: JournalEntry; diametros: DiametroAt }) {
  const [open, setOpen] = createSignal(false);
  const run = () => props.entry.run;
  return (
    <li
      class={`timeline-entry kind-${props.entry.kind}`}
      data-testid="journal-entry"
      data-entry-id={props.entry.id}
      data-kind={props.entry.kind}
    >
      <div class="timeline-head">
        <span class={`badge kind kind-${props.entry.kind}`}>
          {t(`journal.kind.${props.entry.kind}`)}
        </span>
        <time class="muted small" datetime={props.entry.at}>
          {formatDateTime(props.entry.at, lang())}
        </time>
        <Show when={run()}>
          <span class="muted small">
            {modeName(run()!.mode, lang())}
            {run()!.scheduled ? ` · ${t("journal.scheduled")}` : ""}
          </span>
        </Show>
      </div>
      <p class="timeline-line" data-testid="journal-line">
        {journalLine(props.entry, lang(), props.diametros)}
      </p>
      <button
        type="button"
        class="btn btn-link btn-small"
        data-testid="journal-open"
        aria-expanded={open()}
        onClick={() => setOpen(!open())}
      >
        {open() ? t("planillas.hideDiff") : t("planillas.diff")}
      </button>
      <Show when={open()}>
        <JournalDiffView entry={props.entry} />
      </Show>
    </li>
  );
}

function DiffTable(props: { rows: DiffRow[]; testId: string }) {
  return (
    <div class="table-wrap">
      <table class="diff" data-testid={props.testId}>
        <thead>
          <tr>
            <th scope="col">{t("col.campo")}</th>
            <th scope="col">{t("col.antes")}</th>
            <th scope="col">{t("col.despues")}</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.rows}>
            {(row) => (
              <tr data-testid="diff-row" data-field={row.field}>
                <th scope="row">{row.label}</th>
                <td class="diff-old">{row.old}</td>
                <td class="diff-new">{row.new}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </div>
  );
}

function JournalDiffView(props: { entry: JournalEntry }) {
  const diff = () => journalDiff(props.entry, lang());
  return (
    <div class="journal-diff" data-testid="journal-diff">
      <Show when={diff().elementos}>
        {(c) => (
          <p data-testid="diff-elementos">
            {t("journal.diff.elementos", { before: c().before, after: c().after })}
          </p>
        )}
      </Show>
      <Show when={diff().peso}>
        {(p) => (
          <p data-testid="diff-peso">
            {t("journal.diff.peso", { before: p().before, after: p().after })}
          </p>
        )}
      </Show>
      <Show when={diff().header.length > 0}>
        <h4>{t("journal.diff.header")}</h4>
        <DiffTable rows={diff().header} testId="diff-header" />
      </Show>
      <Show when={diff().added.length > 0}>
        <h4>{t("journal.diff.added")}</h4>
        <ElementosTable rows={diff().added} testId="diff-added" />
      </Show>
      <Show when={diff().removed.length > 0}>
        <h4>{t("journal.diff.removed")}</h4>
        <ElementosTable rows={diff().removed} testId="diff-removed" />
      </Show>
      <Show when={diff().changed.length > 0}>
        <h4>{t("journal.diff.changed")}</h4>
        <For each={diff().changed}>
          {(c) => (
            <div data-testid="diff-changed" data-ferrawin-id={c.ferrawin_id}>
              <p class="small">
                {t("journal.diff.elemento", { fila: c.fila ?? "—", id: c.ferrawin_id })}
              </p>
              <DiffTable rows={c.rows} testId="diff-changed-fields" />
            </div>
          )}
        </For>
      </Show>
      <Show when={diff().rejects.length > 0}>
        <h4>{t("journal.diff.rejects")}</h4>
        <RejectList rejects={diff().rejects} testId="diff-rejects" />
      </Show>
    </div>
  );
}
