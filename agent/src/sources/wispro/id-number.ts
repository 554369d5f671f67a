// Normalises a Wispro client's national id into the stored `<letter>-<digits>` form used for matching:
// the letter written in the id wins, else a one-letter `details`, else the configured default.

export const NATIONALITY_LETTERS = ["V", "E", "J", "G", "P"] as const;
export type NationalityLetter = (typeof NATIONALITY_LETTERS)[number];

export type IdNumberResult =
  | { kind: "ok"; idNumber: string; letterFrom: "id" | "details" | "default" }
  /** Nothing usable: null, blank, or no digit at all ("N/A"). */
  | { kind: "missing" }
  /** Digits are there but the text is not an id ("12345678A", "X-123", "E-V-123"). */
  | { kind: "unreadable"; reason: string };

const isNationalityLetter = (value: string): value is NationalityLetter =>
  (NATIONALITY_LETTERS as readonly string[]).includes(value);

/** Leading letters, each optionally followed by separators: "V-", "v ", "V-V-", "J". */
const LETTER_PREFIX = /^(?:[A-Z][\s.\-]*)+/;
const SEPARATORS = /[\s.\-]/g;

function asText(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return typeof value === "string" ? value : null;
}

/** The letter in `details`, when that field is exactly one nationality letter (any case). */
export function letterFromDetails(details: unknown): NationalityLetter | null {
  const text = asText(details)?.trim().toUpperCase() ?? "";
  return text.length === 1 && isNationalityLetter(text) ? text : null;
}

export function normaliseIdNumber(
  raw: unknown,
  details: unknown,
  defaultLetter: NationalityLetter = "V",
): IdNumberResult {
  const text = asText(raw)?.trim().toUpperCase() ?? "";
  if (!/\d/.test(text)) return { kind: "missing" };

  const prefix = text.match(LETTER_PREFIX)?.[0] ?? "";
  const letters = new Set(prefix.replace(/[^A-Z]/g, ""));
  const digits = text.slice(prefix.length).replace(SEPARATORS, "");
  if (!/^\d+$/.test(digits)) {
    return {
      kind: "unreadable",
      reason: "it has characters other than digits, dots, spaces and dashes",
    };
  }
  if (letters.size > 1) {
    return {
      kind: "unreadable",
      reason: `it starts with different letters (${[...letters].join(", ")})`,
    };
  }
  const [written] = [...letters];
  if (written !== undefined) {
    if (!isNationalityLetter(written)) {
      return {
        kind: "unreadable",
        reason: `"${written}" is not a nationality letter (V, E, J, G, P)`,
      };
    }
    return { kind: "ok", idNumber: `${written}-${digits}`, letterFrom: "id" };
  }
  const fromDetails = letterFromDetails(details);
  if (fromDetails) {
    return { kind: "ok", idNumber: `${fromDetails}-${digits}`, letterFrom: "details" };
  }
  return { kind: "ok", idNumber: `${defaultLetter}-${digits}`, letterFrom: "default" };
}
