// SQL Server's text order and equality under FerraWin's collation (Modern_Spanish_CI_AS), for the
// agent's merge of header and bar streams that SQL Server sorted: case-insensitive, accent-sensitive,
// trailing spaces ignored (SQL Server pads the shorter string with spaces before comparing), ñ a letter
// of its own after n. JavaScript's `<` and `===` compare UTF-16 code units and would call "a1" and "A1 "
// different, or put "B" before "a", and the merge would then drop bars silently.
//
// ICU's Spanish collation at secondary strength ("accent") is the same comparison for the letters,
// digits and punctuation FerraWin codes use. Known difference: Windows "word sort" gives hyphens and
// apostrophes almost no weight, ICU a primary one; planilla codes have their hyphen at the same place.

const spanish = new Intl.Collator("es", { sensitivity: "accent", usage: "sort" });

const TRAILING_SPACES = / +$/;

/** Negative, zero or positive as SQL Server orders `a` and `b` under Modern_Spanish_CI_AS. */
export function compareSqlText(a: string, b: string): number {
  return spanish.compare(a.replace(TRAILING_SPACES, ""), b.replace(TRAILING_SPACES, ""));
}

/** SQL Server's `a = b` under Modern_Spanish_CI_AS. */
export function isSqlTextEqual(a: string, b: string): boolean {
  return compareSqlText(a, b) === 0;
}

/**
 * A key equal for exactly the strings SQL Server calls equal (for Maps): trailing spaces dropped, case
 * folded. Accents stay: the collation is accent-sensitive.
 */
export function sqlTextKey(text: string): string {
  return text.replace(TRAILING_SPACES, "").toLocaleUpperCase("es");
}
