// `npm run test:<suite>`: runs one suite and closes with its `N passed, N failed` line.
import { suites } from "./harness/suites.ts";
import { runStep, summaryLine } from "./harness/run-step.ts";

const name = process.argv[2] ?? "";
const step = suites[name];
if (!step) {
  console.error(`unknown suite "${name}"; suites: ${Object.keys(suites).join(", ")}`);
  process.exit(2);
}
const result = await runStep(step);
console.log(`\n${name}: ${summaryLine([result])}`);
process.exit(result.failed > 0 ? 1 : 0);
