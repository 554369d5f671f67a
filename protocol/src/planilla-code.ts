// Planilla codes: FerraWin's ZCONTA-ZCODIGO, stored as 'YYYY-NNNNNN' (ZCODIGO zero-padded to 6).
import { z } from "zod";

export const PLANILLA_CODE_PATTERN = /^\d{4}-\d{6}$/;

/** Normalises `2026-886` to `2026-000886`; returns null for anything that is not `YYYY-digits`. */
export function normalizePlanillaCode(input: string): string | null {
  const match = /^\s*(\d{4})-(\d{1,12})\s*$/.exec(input);
  if (!match) return null;
  const year = match[1]!;
  const number = Number(match[2]!);
  if (number < 1 || number > 999_999) return null;
  return `${year}-${String(number).padStart(6, "0")}`;
}

/**
 * A planilla code as people type it to look one up, read exactly as the database's lookup reads it
 * (`private.planilla_code`, migration 20261205000400): a four- or two-digit year (`25` is 2025), then `-`,
 * `/`, `.` or spaces, then the number. `2025-007816`, `2025-7816`, `25-7816`, `2025/7816` and `25 7816`
 * all give `2025-007816`; anything else gives null.
 */
export function readTypedPlanillaCode(input: string): string | null {
  const match = /^\s*(\d{4}|\d{2})\s*[-/.\s]\s*(\d{1,12})\s*$/.exec(input);
  if (!match) return null;
  const year = match[1]!.length === 2 ? `20${match[1]}` : match[1]!;
  return normalizePlanillaCode(`${year}-${match[2]}`);
}

/** Accepts `YYYY-digits` (up to 6 significant digits) and outputs the padded form. */
export const PlanillaCode = z
  .string({ error: "planilla code must be a string like 2026-886" })
  .max(32, { error: "planilla code is too long" })
  .transform((value, ctx) => {
    const code = normalizePlanillaCode(value);
    if (code === null) {
      ctx.addIssue({
        code: "custom",
        message: `invalid planilla code "${
          value.slice(0, 32)
        }": expected YYYY-NNNNNN, e.g. 2026-886`,
      });
      return z.NEVER;
    }
    return code;
  });

/** A code already in stored form, as the database and the batches carry it. */
export const StoredPlanillaCode = z.string().regex(PLANILLA_CODE_PATTERN, {
  error: "planilla code must be stored as YYYY-NNNNNN",
});
