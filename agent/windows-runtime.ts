// Bun's Windows runtime, which `bun build --compile --target=bun-windows-x64` embeds in the Windows
// agent. Bun would download it from GitHub; here it comes from the npm registry instead
// (`@oven/bun-windows-x64` at this Bun's version), fetched once by `npm install` (the root package's
// postinstall runs this file) into node_modules/.cache, so that building later needs no network.
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const PACKAGE = "@oven/bun-windows-x64";

/** Where the unpacked runtime of `version` lives: …/package/bin/bun.exe. */
export function windowsRuntimePath(version = Bun.version): string {
  return join(
    root,
    "node_modules",
    ".cache",
    "bun-windows-x64",
    version,
    "package",
    "bin",
    "bun.exe",
  );
}

function run(argv: string[], cwd: string): { ok: boolean; output: string } {
  const result = Bun.spawnSync(argv, { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  return {
    ok: result.exitCode === 0,
    output: `${result.stdout.toString()}${result.stderr.toString()}`.trim(),
  };
}

/** The runtime's path, fetching it with `npm pack` when it is not there yet; throws with npm's words. */
export function ensureWindowsRuntime(version = Bun.version): string {
  const exe = windowsRuntimePath(version);
  if (existsSync(exe)) return exe;
  const versionDir = join(exe, "..", "..", "..");
  mkdirSync(join(versionDir, ".."), { recursive: true });
  const work = mkdtempSync(`${versionDir}.partial-`);
  try {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const pack = run([npm, "pack", `${PACKAGE}@${version}`, "--silent"], work);
    if (!pack.ok) throw new Error(`npm pack ${PACKAGE}@${version} failed: ${pack.output}`);
    const tarball = [...new Bun.Glob("oven-bun-windows-x64-*.tgz").scanSync(work)][0];
    if (!tarball) throw new Error(`npm pack ${PACKAGE}@${version} produced no tarball`);
    const untar = run(["tar", "-xzf", tarball], work);
    if (!untar.ok) throw new Error(`unpacking ${tarball} failed: ${untar.output}`);
    rmSync(join(work, tarball));
    if (!existsSync(join(work, "package", "bin", "bun.exe"))) {
      throw new Error(`${PACKAGE}@${version} has no package/bin/bun.exe`);
    }
    rmSync(versionDir, { recursive: true, force: true });
    renameSync(work, versionDir);
    return exe;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  // From `npm install`: a machine that cannot reach the registry still installs; the Windows build
  // then says what is missing.
  try {
    console.log(`Bun's Windows runtime for the agent build: ${ensureWindowsRuntime()}`);
  } catch (error) {
    console.warn(
      `could not fetch Bun's Windows runtime (only \`npm run build:agent\`'s Windows target needs it): ${
        error instanceof Error ? error.message : error
      }`,
    );
  }
}
