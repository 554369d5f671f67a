// `npm run bench [-- <name> …]`: runs each benchmark (bench/<name>/run.ts) in its own process, in order.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** The order matters: e2e leaves the data that noop and changed start from. */
const PREFERRED = ["db", "extract", "latency", "agent", "wispro", "e2e", "noop", "changed"];

const here = import.meta.dir;
const available = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, "run.ts")))
  .map((d) => d.name)
  .sort((a, b) => (PREFERRED.indexOf(a) + 1 || 99) - (PREFERRED.indexOf(b) + 1 || 99));

const asked = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = asked.filter((a) => !available.includes(a));
if (unknown.length) {
  console.error(`unknown benchmark: ${unknown.join(", ")}; available: ${available.join(", ")}`);
  process.exit(2);
}
const chosen = asked.length ? asked : available;
let failed = 0;
for (const name of chosen) {
  console.log(`\n=== bench ${name} ===`);
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
  }
}
process.exit(failed ? 1 : 0);
