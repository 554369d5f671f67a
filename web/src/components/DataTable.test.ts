import { describe, expect, test } from "bun:test";
import { render, textOf } from "../testing/render.ts";

const { DataTable } = await import("./DataTable.tsx");

describe("DataTable", () => {
  const columns = [
    { header: "Nombre", cell: (r: { name: string; n: number }) => r.name, cellTestId: "name" },
    { header: "N", cell: (r: { name: string; n: number }) => String(r.n) },
    { header: "Acción", hiddenHeader: true, cell: () => "x" },
  ];
  test("one header per column, one row per item, row attributes applied", () => {
    const html = render(() =>
      DataTable({
        testId: "t",
        columns,
        rows: [{ name: "a", n: 1 }, { name: "b", n: 2 }],
        rowAttrs: (r) => ({ "data-testid": `row-${r.name}` }),
      })
    );
    expect(html.match(/<th scope="col"/g)?.length).toBe(3);
    expect(html).toContain('<span class="sr-only">Acción</span>');
    expect(textOf(html, "row-a")).toBe("a1x");
    expect(textOf(html, "row-b")).toBe("b2x");
  });
  test("no rows: one cell spanning every column with the empty text", () => {
    const html = render(() =>
      DataTable({ columns, rows: [], empty: "Nada", emptyTestId: "empty" })
    );
    expect(html).toContain('colspan="3"');
    expect(textOf(html, "empty")).toBe("Nada");
  });
});
