// What a person types to find a planilla, read the way find_planillas reads it: `2025-007816`, `2025-7816`,
// `25-7816` (a two-digit year is 20yy), `2025/7816`, with spaces around (protocol's readTypedPlanillaCode). The database decides what exists;
// this only shows which code a search is for ("Buscando 2025-007816") and keeps the typed text when it
// is no code at all.
import { readTypedPlanillaCode } from "@puente/protocol";

/** The longest text sent to find_planillas; the database refuses longer ones. */
export const MAX_QUERY_LENGTH = 64;

export type PlanillaQuery =
  | { kind: "empty" }
  | { kind: "code"; codigo: string; text: string }
  | { kind: "text"; text: string };

export function readPlanillaQuery(raw: string): PlanillaQuery {
  const text = raw.trim();
  if (text === "") return { kind: "empty" };
  const codigo = readTypedPlanillaCode(text);
  return codigo
    ? { kind: "code", codigo, text }
    : { kind: "text", text: text.slice(0, MAX_QUERY_LENGTH) };
}

/** The short form people say aloud and type on a phone: `2025-007816` → `25-7816`. */
export function shortPlanillaCode(codigo: string): string {
  const match = /^\d{2}(\d{2})-(\d{6})$/.exec(codigo);
  return match ? `${match[1]}-${Number(match[2])}` : codigo;
}
