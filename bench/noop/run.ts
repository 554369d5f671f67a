// `npm run bench -- noop [--planillas N]`: an incremental FerraWin sync right after a full one, when
// nothing changed: the wall time to decide and finish. On its own it prepares the data with an untimed
// full sync; within `npm run bench` the e2e benchmark measures it on its own data instead.
import { measureNoop, prepareFullSync } from "../e2e/benchmarks.ts";
import { withScenario } from "../e2e/scenario.ts";

await withScenario(async (scenario) => {
  await prepareFullSync(scenario);
  return (await measureNoop(scenario)).isCorrect;
});
