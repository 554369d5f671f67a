// Parses the TAP that pgTAP prints through psql: ok / not ok lines, the plan, and psql's own failure.
export interface TapResult {
  passed: number;
  failed: number;
  /** Failed test names, diagnostics and errors, for a person to read. */
  problems: string[];
}

export function parseTap(stdout: string, stderr: string, exitCode: number): TapResult {
  let passed = 0;
  let failed = 0;
  let planned: number | null = null;
  const problems: string[] = [];
  for (const line of stdout.split("\n")) {
    const plan = /^1\.\.(\d+)$/.exec(line);
    if (plan) planned = Number(plan[1]);
    else if (/^ok \d+/.test(line)) passed++;
    else if (/^not ok \d+/.test(line)) {
      failed++;
      problems.push(line);
    } else if (/^#/.test(line) && failed > 0) problems.push(line);
  }
  if (exitCode !== 0) {
    failed++;
    problems.push(`psql exited ${exitCode}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
  } else if (planned === null) {
    failed++;
    problems.push("no TAP plan: the file must end with `select * from finish();`");
  } else if (planned !== passed + failed) {
    failed++;
    problems.push(`planned ${planned} tests but ran ${passed + failed}`);
  }
  return { passed, failed, problems };
}
