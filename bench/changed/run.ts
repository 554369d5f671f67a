// `npm run bench -- changed [--planillas N]`: 1% of the planillas edited in the SQL Server stand-in (new
// ZFECHACALC and ZCANTIDAD, as a recalculation in FerraWin leaves them), then an incremental sync: its
// wall time and what it sent, which must be exactly the changed planillas. On its own it prepares the
// data with an untimed full sync; within `npm run bench` the e2e benchmark measures it instead.
import { measureChanged, prepareFullSync } from "../e2e/benchmarks.ts";
import { withScenario } from "../e2e/scenario.ts";

await withScenario(async (scenario) => {
  await prepareFullSync(scenario);
  return (await measureChanged(scenario)).isCorrect;
});
