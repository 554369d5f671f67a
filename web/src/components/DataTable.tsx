// The one table markup the screens share: a scrolling wrapper, column headers (a header may be for screen
// readers only), one row per item, and a full-width row when there is none.
import { For, type JSX } from "solid-js";

export interface Column<T> {
  /** The header's text. */
  header: string;
  /** Visually hidden header (an action column). */
  hiddenHeader?: boolean;
  cell: (row: T) => JSX.Element;
  /** data-testid of the cell; a function gives each row's cell its own. */
  cellTestId?: string | ((row: T) => string);
  /** The column that names the row: a `<th scope="row">`. */
  isRowHeader?: boolean;
}

export function DataTable<T>(props: {
  testId?: string;
  class?: string;
  caption?: string;
  columns: Column<T>[];
  rows: readonly T[];
  empty?: JSX.Element;
  emptyTestId?: string;
  /** Attributes of a row (data-testid, data-*). */
  rowAttrs?: (row: T) => Record<string, string>;
}) {
  return (
    <div class="table-wrap">
      <table class={props.class} data-testid={props.testId}>
        {props.caption ? <caption class="sr-only">{props.caption}</caption> : null}
        <thead>
          <tr>
            <For each={props.columns}>
              {(column) => (
                <th scope="col">
                  {column.hiddenHeader
                    ? <span class="sr-only">{column.header}</span>
                    : column.header}
                </th>
              )}
            </For>
          </tr>
        </thead>
        <tbody>
          <For
            each={props.rows}
            fallback={props.empty === undefined ? undefined : (
              <tr>
                <td colSpan={props.columns.length} data-testid={props.emptyTestId}>
                  {props.empty}
                </td>
              </tr>
            )}
          >
            {(row) => (
              <tr {...(props.rowAttrs?.(row) ?? {})}>
                <For each={props.columns}>
                  {(column) => {
                    const testId = typeof column.cellTestId === "function"
                      ? column.cellTestId(row)
                      : column.cellTestId;
                    return column.isRowHeader
                      ? <th scope="row" data-testid={testId}>{column.cell(row)}</th>
                      : <td data-testid={testId}>{column.cell(row)}</td>;
                  }}
                </For>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </div>
  );
}
