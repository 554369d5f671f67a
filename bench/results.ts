// The results format every benchmark writes: bench/results/<name>.json = { name, machine, versions, metrics }.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, release, totalmem, type as osType } from "node:os";
import { join } from "node:path";
import { resultsDir, updateReport } from "./report.ts";

export interface BenchResult {
  name: string;
  at: string;
  machine: { cpus: number; cpuModel: string; memory: string; os: string };
  versions: Record<string, string>;
  metrics: Record<string, number>;
  notes?: Record<string, string | number>;
}

export function machineInfo(): BenchResult["machine"] {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    os: `${osType()} ${release()}`,
  };
}

/** A metric rounded to `digits` decimals, as the results files hold it. */
export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

export const repoRoot = join(import.meta.dir, "..");

/** The installed version of a package on the measured path, for a result's `versions`. */
export const packageVersion = (name: string): string =>
  (JSON.parse(readFileSync(join(repoRoot, "node_modules", name, "package.json"), "utf8")) as {
    version: string;
  }).version;

/** Writes the result file and prints its metrics as a table. */
export function writeResult(
  name: string,
  metrics: Record<string, number>,
  versions: Record<string, string> = {},
  notes?: BenchResult["notes"],
): BenchResult {
  const result: BenchResult = {
    name,
    at: new Date().toISOString(),
    machine: machineInfo(),
    versions: { bun: Bun.version, ...versions },
    metrics,
    ...(notes ? { notes } : {}),
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  // The README's results section and the chart always say what the results files say.
  updateReport();
  console.log(`\n${name}`);
  console.table(metrics);
  return result;
}
