// `npm run build:agent`: compiles the agent into one executable per platform with `bun build --compile`:
// dist/puente-agent-linux-x64 and dist/puente-agent-windows-x64.exe. The Windows build needs Bun's
// Windows runtime: `npm install` fetches `@oven/bun-windows-x64@<this Bun's version>` from the npm
// registry into node_modules/.cache (agent/windows-runtime.ts), passed as --compile-executable-path.
// Then the Linux binary is smoke-tested against a booted devstack (agent/test/smoke-binary.ts).
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ensureWindowsRuntime } from "./windows-runtime.ts";

const root = join(import.meta.dir, "..");
// `[linux-x64] [windows-x64] [--out-dir DIR] [--no-smoke]`: which targets, where, and whether to smoke.
const { values: flags, positionals: only } = parseArgs({
  options: { "out-dir": { type: "string" }, "no-smoke": { type: "boolean" } },
  allowPositionals: true,
});
const dist = resolve(flags["out-dir"] ?? join(root, "dist"));
const entry = join(import.meta.dir, "src", "main.ts");
const bun = process.execPath;

interface Target {
  name: string;
  bunTarget: string;
  outfile: string;
  /** Fetches the runtime to embed when it is not this machine's; returns its path. */
  runtime?: (workDir: string) => string;
}

function run(argv: string[], cwd = root) {
  const result = Bun.spawnSync(argv, { cwd, stdout: "inherit", stderr: "inherit" });
  if (result.exitCode !== 0) throw new Error(`\`${argv.join(" ")}\` failed (${result.exitCode})`);
}

const targets: Target[] = [
  { name: "linux-x64", bunTarget: "bun-linux-x64", outfile: join(dist, "puente-agent-linux-x64") },
  {
    name: "windows-x64",
    bunTarget: "bun-windows-x64",
    outfile: join(dist, "puente-agent-windows-x64.exe"),
    runtime: () => ensureWindowsRuntime(),
  },
];

mkdirSync(dist, { recursive: true });
const results: { name: string; file: string; sizeMb: string; seconds: string }[] = [];
for (const target of targets.filter((t) => only.length === 0 || only.includes(t.name))) {
  const started = performance.now();
  const workDir = mkdtempSync(join(tmpdir(), `puente-build-${target.name}-`));
  try {
    const args = [
      bun,
      "build",
      entry,
      "--compile",
      "--minify",
      `--target=${target.bunTarget}`,
      `--outfile=${target.outfile}`,
    ];
    if (target.runtime) args.push(`--compile-executable-path=${target.runtime(workDir)}`);
    console.log(`building ${target.name}…`);
    run(args);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  results.push({
    name: target.name,
    file: target.outfile,
    sizeMb: (statSync(target.outfile).size / 1024 / 1024).toFixed(1),
    seconds: ((performance.now() - started) / 1000).toFixed(1),
  });
}
for (const r of results) console.log(`${r.name}: ${r.file} ${r.sizeMb} MB in ${r.seconds} s`);

// The Linux binary is smoked against a booted devstack where it can run (`--no-smoke` skips it).
const linux = results.find((r) => r.name === "linux-x64");
if (linux && process.platform === "linux" && process.arch === "x64" && !flags["no-smoke"]) {
  run([bun, join(import.meta.dir, "test", "smoke-binary.ts"), linux.file]);
}
