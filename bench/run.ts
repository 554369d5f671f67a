// `npm run bench [-- <name> …]`: runs each benchmark (bench/<name>/run.ts) in its own process, in order.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { BENCHES } from "./report.ts";

const here = import.meta.dir;
const available = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, "run.ts")))
  .map((d) => d.name)
  .sort((a, b) => (BENCHES.indexOf(a) + 1 || 99) - (BENCHES.indexOf(b) + 1 || 99));

const asked = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = asked.filter((a) => !available.includes(a));
if (unknown.length) {
  console.error(`unknown benchmark: ${unknown.join(", ")}; available: ${available.join(", ")}`);
  process.exit(2);
}
const chosen = asked.length ? asked : available;
/** e2e measures noop and changed on the data of its full sync: no second 2-million-row sync for them. */
const COVERED_BY: Record<string, string> = { noop: "e2e", changed: "e2e" };
const succeeded = new Set<string>();
let failed = 0;
for (const name of chosen) {
  console.log(`\n=== bench ${name} ===`);
  const coveredBy = COVERED_BY[name];
  if (coveredBy && succeeded.has(coveredBy)) {
    console.log(`measured by ${coveredBy} on its data (bench/results/${name}.json)`);
    continue;
  }
  const child = Bun.spawn({
    cmd: [
      process.execPath,
      join(here, name, "run.ts"),
      ...process.argv.slice(2).filter((a) => a.startsWith("-")),
    ],
    stdio: ["ignore", "inherit", "inherit"],
  });
  const code = await child.exited;
  if (code !== 0) {
    failed++;
    console.error(`bench ${name} failed (exit ${code})`);
  } else succeeded.add(name);
}
// The README's results section and the chart follow whatever the results now say.
const report = Bun.spawn({
  cmd: [process.execPath, join(here, "report.ts")],
  stdio: ["ignore", "inherit", "inherit"],
});
if ((await report.exited) !== 0) failed++;
process.exit(failed ? 1 : 0);
