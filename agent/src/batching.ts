// Turns what a source yields into batch drafts in the runner's terms: FerraWin planillas grouped up to
// N planillas or ~M elementos, Wispro one page per batch. Each draft carries the cursor it reaches.
import {
  type CustomerBatch,
  MAX_PLANILLAS_PER_BATCH,
  MAX_REJECTS_PER_BATCH,
  type PlanillaBatch,
  type RunCursor,
} from "@puente/protocol";
import type { CustomerPage, ItemLabel, PlanillaItem } from "./sources/source.ts";

export interface BatchDraft {
  body: Omit<PlanillaBatch, "v" | "seq"> | Omit<CustomerBatch, "v" | "seq">;
  /** Where the run stands once this batch and every earlier one are acknowledged. */
  cursor: RunCursor;
  /** Items this batch completes (planillas sent + refused, or customer records). */
  units: number;
  label: ItemLabel | null;
  /** Wispro: the total record count the page reported. */
  totalRecords?: number;
}

export interface PlanillaBatchLimits {
  /** PUENTE_BATCH_PLANILLAS. */
  planillas: number;
  /** PUENTE_BATCH_ELEMENTOS: a batch closes once it holds this many elementos. */
  elementos: number;
}

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

/** One Wispro page is one batch; its cursor is the page number. */
export async function* customerPageBatches(
  pages: AsyncIterable<CustomerPage>,
): AsyncGenerator<BatchDraft> {
  for await (const page of pages) {
    const lastCustomer = page.customers.at(-1);
    yield {
      body: {
        kind: "customers",
        page: page.page,
        customers: page.customers,
        rejects: page.rejects,
      },
      cursor: { source: "wispro", lastPage: page.page },
      units: page.customers.length + page.rejects.length,
      label: {
        code: `página ${page.page}/${page.totalPages}`,
        cliente: lastCustomer?.name ?? null,
        obra: null,
      },
      totalRecords: page.totalRecords,
    };
  }
}
