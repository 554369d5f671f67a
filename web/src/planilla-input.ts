// Validation of the one-planilla input: people type `2026-886`; the command carries `2026-000886`.
import { PlanillaCode } from "@puente/protocol";

export type PlanillaInputResult =
  | { ok: true; code: string }
  | { ok: false; reason: "empty" | "format" };

export function validatePlanillaInput(raw: string): PlanillaInputResult {
  if (raw.trim() === "") return { ok: false, reason: "empty" };
  const parsed = PlanillaCode.safeParse(raw.trim());
  return parsed.success ? { ok: true, code: parsed.data } : { ok: false, reason: "format" };
}
