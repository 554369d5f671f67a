// `{name}` placeholders in the agent's and the panel's message catalogues: one rule for both.

const PLACEHOLDER = /\{(\w+)\}/g;

/** Fills `{name}` placeholders; a missing value stays visible as `{name}` so the gap is noticed. */
export function fillPlaceholders(
  template: string,
  values: Record<string, string | number> = {},
): string {
  return template.replace(
    PLACEHOLDER,
    (whole, name: string) => (name in values ? String(values[name]) : whole),
  );
}

/** The placeholder names a template uses, sorted (catalogue tests compare languages with it). */
export function placeholderNames(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!).sort();
}
