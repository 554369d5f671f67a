// `npm run bench -- e2e [--planillas N]`: a full FerraWin sync of a generated fixture (37,000 planillas,
// about 2 million elementos, by default) through the real path, beside COPY of the same rows into
// tables of the same shape; then, on the same data, the `noop` and `changed` measurements, so one
// `npm run bench` does the 2-million-row full sync once (bench/run.ts skips noop and changed after a
// successful e2e). Writes bench/results/{e2e,noop,changed}.json.
import { measureChanged, measureE2e, measureNoop } from "./benchmarks.ts";
import { withScenario } from "./scenario.ts";

await withScenario(async (scenario) => {
  await measureE2e(scenario);
  const noop = await measureNoop(scenario);
  const changed = await measureChanged(scenario);
  // A missed target is reported, not a failure; a run that sent the wrong planillas is.
  return noop.isCorrect && changed.isCorrect;
});
