// `npm test`: format and lint check, typechecks, then every suite; closes with one `N passed, N failed` line.
import { checks, SUITE_ORDER, suites } from "./harness/suites.ts";
import { ensureSystemPackages } from "./harness/system-packages.ts";
import { runStep, type StepResult, summaryLine } from "./harness/run-step.ts";

const onlyChecks = process.argv.includes("--only-checks");
// Before any suite: the system packages they need, installed here when this machine allows it.
// PUENTE_SYSTEM_PACKAGES=check only reports (as on a machine where npm test may not install).
const install = process.env.PUENTE_SYSTEM_PACKAGES !== "check";
if (!onlyChecks && !ensureSystemPackages({ install })) {
  console.error("\nnpm test stopped before running any suite: install the packages above first.");
  process.exit(1);
}
const steps = onlyChecks ? checks : [...checks, ...SUITE_ORDER.map((s) => suites[s]!)];
const results: StepResult[] = [];
for (const step of steps) results.push(await runStep(step));

console.log("\n── summary ──");
for (const r of results) {
  const mark = r.failed > 0 ? "✘" : "✔";
  const detail = r.note ? ` (${r.note})` : "";
  console.log(`${mark} ${r.name.padEnd(28)} ${summaryLine([r]).padEnd(32)} ${r.seconds}s${detail}`);
}
console.log(`\n${summaryLine(results)}`);
process.exit(results.some((r) => r.failed > 0) ? 1 : 0);
