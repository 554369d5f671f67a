import { describe, expect, test } from "bun:test";
import { render } from "../../testing/render.ts";
import { isAwaitingRun } from "../../components/CommandSent.tsx";

const { yearChoices } = await import("./YearConfirmDialog.tsx");
const { YearPicker } = await import("./YearPicker.tsx");
const { CommandSent } = await import("../../components/CommandSent.tsx");

describe("year question", () => {
  test("a year with a last code offers continue (from it), restart and cancel, in that order", () => {
    const started: (string | null)[] = [];
    let closed = 0;
    const choices = yearChoices({ year: 2025, synced: 10, lastCode: "2025-000010" }, {
      start: (from) => started.push(from),
      close: () => closed++,
    });
    expect(choices.map((c) => c.testId)).toEqual(["year-continue", "year-restart", "year-cancel"]);
    choices[0]?.onChoose();
    choices[1]?.onChoose();
    expect(started).toEqual(["2025-000010", null]);
    expect(closed).toBe(2);
  });
  test("an empty year offers only restart (as the primary choice) and cancel", () => {
    const choices = yearChoices({ year: 2024, synced: 0, lastCode: null }, {
      start: () => {},
      close: () => {},
    });
    expect(choices.map((c) => `${c.testId}:${c.kind ?? ""}`)).toEqual([
      "year-restart:primary",
      "year-cancel:",
    ]);
  });
  test("the year button names the chosen year", () => {
    const html = render(() =>
      YearPicker({
        years: [2026, 2025],
        year: 2025,
        disabled: false,
        onYear: () => {},
        onAsk: () => {},
      })
    );
    expect(html).toContain("2025");
    expect(html).toMatch(/data-testid="start-year"/);
  });
});

describe("'Orden enviada' follows its own command", () => {
  const CMD = "c0ffee00-0000-4000-8000-000000000001";
  test("awaiting until a run of this command is known; another command's run does not count", () => {
    expect(isAwaitingRun(null, [])).toBe(false);
    expect(isAwaitingRun(CMD, [])).toBe(true);
    expect(isAwaitingRun(CMD, [{ commandId: "c0ffee00-0000-4000-8000-000000000002" }])).toBe(true);
    expect(isAwaitingRun(CMD, [{ commandId: CMD }])).toBe(false);
  });
  const app = (runs: { commandId: string | null }[]) => ({
    store: { state: { liveRuns: [], history: runs } } as never,
  });
  test("the notice shows while waiting and is gone once the command's run is known", () => {
    expect(render(() => CommandSent({ commandId: CMD }), app([]))).toContain("Esperando al agente");
    expect(render(() => CommandSent({ commandId: CMD }), app([{ commandId: CMD }])))
      .not.toContain("command-accepted");
  });
});
