// Adding up the counts each BatchResult returns into a run's totals.
import type { EntityCounts, RunCounts } from "@puente/protocol";

const KINDS = ["planillas", "elementos", "entidades", "customers"] as const;
const FIELDS = ["created", "updated", "unchanged", "deleted", "rejected"] as const;

/** `a + b`, kind by kind and field by field; kinds absent from both stay absent. */
export function addRunCounts(a: RunCounts, b: RunCounts): RunCounts {
  const sum: RunCounts = {};
  for (const kind of KINDS) {
    const left = a[kind];
    const right = b[kind];
    if (!left && !right) continue;
    const counts: EntityCounts = { created: 0, updated: 0, unchanged: 0, deleted: 0, rejected: 0 };
    for (const field of FIELDS) counts[field] = (left?.[field] ?? 0) + (right?.[field] ?? 0);
    sum[kind] = counts;
  }
  return sum;
}
