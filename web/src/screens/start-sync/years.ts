// The FerraWin years an admin may sync one by one: the current year down to 2018.
export const FIRST_YEAR = 2018;

export function selectableYears(now: Date): number[] {
  const years: number[] = [];
  for (let y = now.getFullYear(); y >= FIRST_YEAR; y--) years.push(y);
  return years;
}
