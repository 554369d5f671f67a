// A year and the button that asks the database how far that year got before starting it.
import { For } from "solid-js";
import { t } from "../../i18n/i18n.ts";

export function YearPicker(props: {
  years: readonly number[];
  year: number;
  disabled: boolean;
  onYear: (year: number) => void;
  onAsk: () => void;
}) {
  return (
    <>
      <label for="year-select">{t("start.year")}</label>
      <div class="row">
        <select
          id="year-select"
          data-testid="year-select"
          value={props.year}
          onChange={(e) => props.onYear(Number(e.currentTarget.value))}
        >
          <For each={props.years}>{(y) => <option value={y}>{y}</option>}</For>
        </select>
        <button
          type="button"
          class="btn btn-secondary"
          data-testid="start-year"
          disabled={props.disabled}
          onClick={() => props.onAsk()}
        >
          {t("start.yearButton", { year: props.year })}
        </button>
      </div>
    </>
  );
}
