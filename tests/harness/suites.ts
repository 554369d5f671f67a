// The test suites `npm test` runs, how each is started, and how its runner's closing lines are counted.
// Every suite prints its own output as it goes; the harness only adds up what the runners report.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

export interface Step {
  name: string;
  /** Why the step cannot run on this machine; such a step fails loudly, it never passes silently. */
  missing?: () => string | null;
  /** The command, or null when its files are missing: a failure, never a silent pass. */
  command: () => string[] | null;
  parse: (output: string, exitCode: number) => Tally;
  timeoutS: number;
}

const root = join(import.meta.dir, "..", "..");
const bun = join(root, "node_modules", ".bin", "bun");
const deno = join(root, "node_modules", ".bin", "deno");
const tsc = join(root, "node_modules", ".bin", "tsc");

/** Files below `dirs` (node_modules and dist skipped) that `keep` accepts, as sorted `./relative` paths. */
export function filesUnder(dirs: string[], keep: (file: string) => boolean): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    const path = join(root, dir);
    if (!existsSync(path)) return;
    for (const entry of readdirSync(path)) {
      if (entry === "node_modules" || entry === "dist") continue;
      const rel = `${dir}/${entry}`;
      if (statSync(join(root, rel)).isDirectory()) walk(rel);
      else if (keep(rel)) found.push(`./${rel}`);
    }
  };
  dirs.forEach(walk);
  return found.sort();
}

/** True when some file below `dir` ends with one of `suffixes`. */
export const hasFiles = (dir: string, suffixes: string[]): boolean =>
  filesUnder([dir], (f) => suffixes.some((s) => f.endsWith(s))).length > 0;

const count = (output: string, pattern: RegExp) => {
  let total = 0;
  for (const match of output.matchAll(pattern)) total += Number(match[1]);
  return total;
};

/** bun test closes with ` N pass`, ` N fail`, ` N skip` lines. */
export function parseBunTest(output: string, exitCode: number): Tally {
  const tally = {
    passed: count(output, /^\s*(\d+) pass$/gm),
    failed: count(output, /^\s*(\d+) fail$/gm),
    skipped: count(output, /^\s*(\d+) (?:skip|todo)$/gm),
  };
  if (exitCode !== 0 && tally.failed === 0) tally.failed = 1;
  return tally;
}

/** deno test closes with `ok | N passed | N failed` (and `| N ignored`). */
export function parseDenoTest(output: string, exitCode: number): Tally {
  const line = [
    ...output.matchAll(/\|\s*(\d+) passed[^|\n]*\|\s*(\d+) failed(?:\s*\|\s*(\d+) ignored)?/g),
  ].at(-1);
  const tally = {
    passed: Number(line?.[1] ?? 0),
    failed: Number(line?.[2] ?? 0),
    skipped: Number(line?.[3] ?? 0),
  };
  if (exitCode !== 0 && tally.failed === 0) tally.failed = 1;
  return tally;
}

/** Our own runners (pgTAP) close with `<suite>: N passed, N failed`. */
export function parseSummaryLine(output: string, exitCode: number): Tally {
  const line = [...output.matchAll(/(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/g)].at(-1);
  const tally = {
    passed: Number(line?.[1] ?? 0),
    failed: Number(line?.[2] ?? 0),
    skipped: Number(line?.[3] ?? 0),
  };
  if (exitCode !== 0 && tally.failed === 0) tally.failed = 1;
  return tally;
}

/** A check (format, lint, typecheck) is one test: it passes or it fails. */
export const parseCheck = (_output: string, exitCode: number): Tally => ({
  passed: exitCode === 0 ? 1 : 0,
  failed: exitCode === 0 ? 0 : 1,
  skipped: 0,
});

const needChromium = () =>
  existsSync(process.env.PUENTE_CHROMIUM ?? "/usr/bin/chromium")
    ? null
    : "Chromium is missing: run `apt-get update && apt-get install -y chromium`";
const needPostgres = () =>
  existsSync("/usr/lib/postgresql/15/bin/initdb")
    ? null
    : "PostgreSQL 15 is missing: run `apt-get install -y postgresql-15`";

/** Bun test files below `dirs` that `keep` accepts. */
export const testFiles = (dirs: string[], keep: (file: string) => boolean = () => true): string[] =>
  filesUnder(dirs, (f) => /\.test\.tsx?$/.test(f) && keep(f));

/** Tests beside modules that drive real servers across processes are named `*.integration.test.ts`. */
const isIntegration = (file: string) => file.endsWith(".integration.test.ts");
const MODULE_DIRS = ["protocol", "agent", "devstack", "web/src", "bench", "tests/harness"];

const bunSuite = (
  name: string,
  files: () => string[],
  timeoutS: number,
  missing?: () => string | null,
): Step => ({
  name,
  missing,
  command: () => {
    const present = files();
    // bunfig's [test] timeout is not honoured by every Bun entry point, so it is passed here too.
    return present.length ? [bun, "test", "--timeout", "60000", ...present] : null;
  },
  parse: parseBunTest,
  timeoutS,
});

export const checks: Step[] = [
  { name: "format", command: () => [deno, "fmt", "--check"], parse: parseCheck, timeoutS: 120 },
  { name: "lint", command: () => [deno, "lint"], parse: parseCheck, timeoutS: 180 },
  {
    name: "typecheck (tsc)",
    command: () => [tsc, "-p", "tsconfig.json"],
    parse: parseCheck,
    timeoutS: 300,
  },
  {
    name: "typecheck (deno check edge)",
    command: () => (hasFiles("edge", [".ts"]) ? [deno, "check", "edge/"] : null),
    parse: parseCheck,
    timeoutS: 300,
  },
];

export const suites: Record<string, Step> = {
  unit: bunSuite("unit", () => testFiles(MODULE_DIRS, (f) => !isIntegration(f)), 900),
  db: {
    name: "db",
    missing: needPostgres,
    command:
      () => (existsSync(join(root, "tests/db/run-pgtap.ts"))
        ? [bun, "tests/db/run-pgtap.ts"]
        : null),
    parse: parseSummaryLine,
    timeoutS: 900,
  },
  edge: {
    name: "edge",
    command: () =>
      hasFiles("edge", [".test.ts"])
        ? [deno, "test", "--allow-net", "--allow-env", "--allow-read", "edge/"]
        : null,
    parse: parseDenoTest,
    timeoutS: 600,
  },
  integration: bunSuite(
    "integration",
    () => [...testFiles(["tests/integration"]), ...testFiles(MODULE_DIRS, isIntegration)],
    1800,
    needPostgres,
  ),
  e2e: bunSuite(
    "e2e",
    () => testFiles(["tests/e2e"]),
    1200,
    () => needChromium() ?? needPostgres(),
  ),
  chaos: bunSuite("chaos", () => testFiles(["tests/chaos"]), 1800, needPostgres),
  security: bunSuite("security", () => testFiles(["tests/security"]), 900, needPostgres),
};

export const SUITE_ORDER = [
  "unit",
  "db",
  "edge",
  "integration",
  "e2e",
  "chaos",
  "security",
] as const;
export { root };
