// FerraWin's batching: planillas grouped up to N planillas or ~M elementos, each batch carrying the
// cursor it reaches (the last planilla code).
import {
  MAX_PLANILLAS_PER_BATCH,
  MAX_REJECTS_PER_BATCH,
  type PlanillaBatch,
} from "@puente/protocol";
import type { BatchDraft, ItemLabel, PlanillaBatchLimits, PlanillaItem } from "../source.ts";

/** Groups planillas (and refused planillas) into batches; a planilla is never split across batches. */
export async function* planillaBatches(
  items: AsyncIterable<PlanillaItem>,
  limits: PlanillaBatchLimits,
): AsyncGenerator<BatchDraft> {
  const maxPlanillas = Math.min(limits.planillas, MAX_PLANILLAS_PER_BATCH);
  let planillas: PlanillaBatch["planillas"] = [];
  let rejects: PlanillaBatch["rejects"] = [];
  let elementos = 0;
  // Widened on purpose: `flush` resets it, so TypeScript must not narrow it to null in the loop.
  let last = null as { code: string; label: ItemLabel | null } | null;
  const codes = new Set<string>();

  const flush = (): BatchDraft | null => {
    if (!last) return null;
    const draft: BatchDraft = {
      body: { kind: "planillas", planillas, rejects },
      cursor: { source: "ferrawin", lastCode: last.code },
      units: planillas.length + rejects.length,
      label: last.label,
    };
    planillas = [];
    rejects = [];
    elementos = 0;
    last = null;
    codes.clear();
    return draft;
  };

  for await (const item of items) {
    // A full batch closes before the next code, not between items sharing one (a planilla and the
    // blank-key rejects reported with it): a cursor at a code must mean all of that code was acked,
    // or a resume after it would skip the rest. The same planilla twice still needs two batches.
    const isFull = planillas.length >= maxPlanillas || elementos >= limits.elementos;
    if (
      (isFull && item.code !== last?.code) || rejects.length >= MAX_REJECTS_PER_BATCH ||
      (item.kind === "planilla" && codes.has(item.code))
    ) {
      const draft = flush();
      if (draft) yield draft;
    }
    if (item.kind === "planilla") {
      codes.add(item.code);
      planillas.push(item.planilla);
      elementos += item.planilla.elementos.length;
    } else {
      rejects.push(item.reject);
    }
    last = { code: item.code, label: item.label ?? { code: item.code, cliente: null, obra: null } };
  }
  const rest = flush();
  if (rest) yield rest;
}
