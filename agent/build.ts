// `npm run build:agent`: compiles the agent into one executable per platform with `bun build --compile`:
// dist/puente-agent-linux-x64 and dist/puente-agent-windows-x64.exe. The Windows build needs Bun's
// Windows runtime: `npm install` fetches `@oven/bun-windows-x64@<this Bun's version>` from the npm
// registry into node_modules/.cache (agent/windows-runtime.ts), passed as --compile-executable-path.
// The executables never load a .env or bunfig.toml by themselves (Bun's compile-time autoload would read
// ./.env with `$VAR` expansion, changing secrets that contain `$`): the agent reads its own .env, once,
// verbatim (config.ts). They trust the operating system's certificate store (--use-system-ca), so a
// proxy or antivirus that inspects TLS with a company CA works. The Windows one then gets its version
// info and icon (agent/assets/puente.ico) written by build/pe-resources.ts, since Bun's --windows-*
// flags only work when compiling on Windows.
// Then the Linux binary is smoke-tested against a booted devstack (agent/test/smoke-binary.ts).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ensureWindowsRuntime } from "./windows-runtime.ts";
import { AGENT_VERSION } from "./src/version.ts";
import { readWindowsIdentity, setWindowsIdentity, type VersionInfo } from "./build/pe-resources.ts";

const root = join(import.meta.dir, "..");
const entry = join(import.meta.dir, "src", "main.ts");
const bun = process.execPath;

interface Target {
  name: string;
  bunTarget: string;
  outfile: string;
  /** Fetches the runtime to embed when it is not this machine's; returns its path. */
  runtime?: (workDir: string) => string;
  /** Runs on the written executable. */
  finish?: (outfile: string) => void;
}

/** Flags every target gets: no autoloaded configuration, and the system's certificate store. */
export const COMMON_FLAGS = [
  "--no-compile-autoload-dotenv",
  "--no-compile-autoload-bunfig",
  "--compile-exec-argv=--use-system-ca",
];

/** Windows' four-part file version from the agent's semver: 1.2.3 → 1.2.3.0. */
export function windowsFileVersion(version: string): string {
  const parts = version.split(/[.+-]/).slice(0, 3).map((p) => Number.parseInt(p, 10) || 0);
  while (parts.length < 4) parts.push(0);
  return parts.join(".");
}

/** What Task Manager, Explorer's Details tab and the signature dialog show for the Windows executable. */
export const WINDOWS_IDENTITY: VersionInfo = {
  productName: "Puente Agent",
  companyName: "Puente",
  fileDescription: "Puente office agent (FerraWin and Wispro sync)",
  fileVersion: windowsFileVersion(AGENT_VERSION),
  legalCopyright: "Puente",
  originalFilename: "puente-agent-windows-x64.exe",
};
export const WINDOWS_ICON = join(import.meta.dir, "assets", "puente.ico");

/** Writes the version info and icon into the built .exe, and reads them back to be sure. */
function stampWindowsIdentity(exe: string): void {
  const stamped = setWindowsIdentity(
    new Uint8Array(readFileSync(exe)),
    WINDOWS_IDENTITY,
    new Uint8Array(readFileSync(WINDOWS_ICON)),
  );
  const check = readWindowsIdentity(stamped);
  if (check.strings.ProductName !== WINDOWS_IDENTITY.productName || check.icons !== 1) {
    throw new Error(`${exe}: the version info did not read back`);
  }
  writeFileSync(exe, stamped);
}

function run(argv: string[], cwd = root) {
  const result = Bun.spawnSync(argv, { cwd, stdout: "inherit", stderr: "inherit" });
  if (result.exitCode !== 0) throw new Error(`\`${argv.join(" ")}\` failed (${result.exitCode})`);
}

/** The targets, writing into `dist`. */
export const targetsIn = (
  dist: string,
): Target[] => [{
  name: "linux-x64",
  bunTarget: "bun-linux-x64",
  outfile: join(dist, "puente-agent-linux-x64"),
}, {
  name: "windows-x64",
  bunTarget: "bun-windows-x64",
  outfile: join(dist, "puente-agent-windows-x64.exe"),
  runtime: () => ensureWindowsRuntime(),
  finish: stampWindowsIdentity,
}];

/** `bun build --compile` for each target named in `only` (all when empty); returns what it wrote. */
export function buildAgent(dist: string, only: string[] = []) {
  mkdirSync(dist, { recursive: true });
  const results: { name: string; file: string; sizeMb: string; seconds: string }[] = [];
  for (const target of targetsIn(dist).filter((t) => only.length === 0 || only.includes(t.name))) {
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
        ...COMMON_FLAGS,
      ];
      if (target.runtime) args.push(`--compile-executable-path=${target.runtime(workDir)}`);
      console.log(`building ${target.name}…`);
      run(args);
      target.finish?.(target.outfile);
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
  return results;
}

if (import.meta.main) {
  // `[linux-x64] [windows-x64] [--out-dir DIR] [--no-smoke]`: which targets, where, and whether to smoke.
  const { values: flags, positionals: only } = parseArgs({
    options: { "out-dir": { type: "string" }, "no-smoke": { type: "boolean" } },
    allowPositionals: true,
  });
  const results = buildAgent(resolve(flags["out-dir"] ?? join(root, "dist")), only);
  for (const r of results) console.log(`${r.name}: ${r.file} ${r.sizeMb} MB in ${r.seconds} s`);

  // The Linux binary is smoked against a booted devstack where it can run (`--no-smoke` skips it).
  const linux = results.find((r) => r.name === "linux-x64");
  if (linux && process.platform === "linux" && process.arch === "x64" && !flags["no-smoke"]) {
    run([bun, join(import.meta.dir, "test", "smoke-binary.ts"), linux.file]);
  }
}
