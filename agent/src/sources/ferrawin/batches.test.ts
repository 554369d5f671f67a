import { describe, expect, test } from "bun:test";
import type { Planilla, SourceReject } from "@puente/protocol";
import { planillaBatches } from "./batches.ts";
import type { PlanillaItem } from "../source.ts";

const planilla = (code: string): PlanillaItem => ({
  kind: "planilla",
  code,
  planilla: { codigo: code, elementos: [] } as unknown as Planilla,
});
const reject = (code: string): PlanillaItem => ({
  kind: "reject",
  code,
  reject: { record_key: `blank-${code}`, reason: "blank_key" } as unknown as SourceReject,
});

async function batchesOf(items: PlanillaItem[], planillas: number) {
  async function* stream() {
    yield* items;
  }
  const out: { codes: string[]; cursor: string; units: number }[] = [];
  for await (const draft of planillaBatches(stream(), { planillas, elementos: 5000 })) {
    const body = draft.body as {
      planillas: { codigo: string }[];
      rejects: { record_key: string }[];
    };
    out.push({
      codes: [...body.planillas.map((p) => p.codigo), ...body.rejects.map((r) => r.record_key)],
      cursor: draft.cursor.source === "ferrawin" ? draft.cursor.lastCode : "",
      units: draft.units,
    });
  }
  return out;
}

describe("planillaBatches", () => {
  test("rejects sharing a full batch's last code stay in that batch, so its cursor covers them", async () => {
    const batches = await batchesOf(
      [
        planilla("2025-000001"),
        reject("2025-000001"),
        reject("2025-000001"),
        planilla("2025-000002"),
      ],
      1,
    );
    expect(batches).toEqual([
      {
        codes: ["2025-000001", "blank-2025-000001", "blank-2025-000001"],
        cursor: "2025-000001",
        units: 3,
      },
      { codes: ["2025-000002"], cursor: "2025-000002", units: 1 },
    ]);
  });

  test("the same planilla twice goes into two batches; sizes are kept otherwise", async () => {
    const batches = await batchesOf(
      [
        planilla("2025-000001"),
        planilla("2025-000001"),
        planilla("2025-000002"),
        planilla("2025-000003"),
      ],
      2,
    );
    expect(batches.map((b) => b.codes)).toEqual([
      ["2025-000001"],
      ["2025-000001", "2025-000002"],
      ["2025-000003"],
    ]);
  });
});
