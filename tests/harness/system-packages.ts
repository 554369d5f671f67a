// The system packages `npm test` needs beyond npm: Chromium for the browser tests, PostgreSQL 15 and
// pgTAP for the database suite and the whole-system tests. `.ci/run` and `npm test` both call
// `ensureSystemPackages`: on Debian as root (or with passwordless sudo) it installs what is missing and
// says so; anywhere else it prints the one command to run and `npm test` stops before any suite.
// `bun tests/harness/system-packages.ts [install|check]` runs it alone.
import { existsSync } from "node:fs";
import { userInfo } from "node:os";

export const PG_BIN = process.env.PUENTE_PG_BIN ?? "/usr/lib/postgresql/15/bin";
export const CHROMIUM = process.env.PUENTE_CHROMIUM ?? "/usr/bin/chromium";
const PGTAP_SHARE = "/usr/share/postgresql/15";

/** PostgreSQL's share folder: Debian's for the default binaries, else what pg_config says. */
function shareDir(): string {
  if (!process.env.PUENTE_PG_BIN) return PGTAP_SHARE;
  const pgConfig = Bun.spawnSync({ cmd: [`${PG_BIN}/pg_config`, "--sharedir"], stdin: "ignore" });
  return pgConfig.exitCode === 0 ? pgConfig.stdout.toString().trim() : PGTAP_SHARE;
}

interface Need {
  /** Debian's package name. */
  debian: string;
  why: string;
  present: () => boolean;
}

const NEEDS: Need[] = [
  {
    debian: "postgresql-15",
    why: "the database suite and the whole-system tests",
    present: () => existsSync(`${PG_BIN}/initdb`) && existsSync(`${PG_BIN}/pg_ctl`),
  },
  {
    debian: "postgresql-15-pgtap",
    why: "the database suite (pgTAP)",
    present: () => existsSync(`${shareDir()}/extension/pgtap.control`),
  },
  { debian: "chromium", why: "the browser tests", present: () => existsSync(CHROMIUM) },
];

export function missingPackages(): Need[] {
  return NEEDS.filter((need) => !need.present());
}

const isDebian = () =>
  process.platform === "linux" && existsSync("/etc/debian_version") &&
  existsSync("/usr/bin/apt-get");

function run(cmd: string[], env: Record<string, string> = {}): boolean {
  console.log(`$ ${cmd.join(" ")}`);
  const result = Bun.spawnSync({
    cmd,
    env: { ...process.env, ...env },
    stdin: "ignore",
    stdout: "inherit",
    stderr: "inherit",
  });
  return result.exitCode === 0;
}

/** Root runs apt-get itself; others through sudo, only when it needs no password (no stdin here). */
function privilege(): string[] | null {
  if (userInfo().uid === 0) return [];
  if (!Bun.which("sudo")) return null;
  return Bun.spawnSync({ cmd: ["sudo", "-n", "true"], stdin: "ignore" }).exitCode === 0
    ? ["sudo", "-n"]
    : null;
}

/** The one command a person runs to get `missing` on this kind of machine. */
export function installHint(missing: Need[]): string {
  const names = missing.map((m) => m.debian).join(" ");
  if (isDebian()) return `sudo apt-get update && sudo apt-get install -y ${names}`;
  if (process.platform === "linux") {
    return `install PostgreSQL 15 with pgTAP and Chromium with your package manager, then set ` +
      `PUENTE_PG_BIN to PostgreSQL 15's bin folder and PUENTE_CHROMIUM to the browser (Debian's names: ${names})`;
  }
  return `the full test suite runs on Debian 12 (a VM, WSL on Windows, or a container): there, ` +
    `\`sudo apt-get install -y ${names}\``;
}

/**
 * Makes sure the system packages are there; true when they are (already, or installed now). With
 * `install` false it only reports. Prints what it installs, or the command that would.
 */
export function ensureSystemPackages(options: { install: boolean }): boolean {
  const missing = missingPackages();
  if (!missing.length) return true;
  const list = missing.map((m) => `${m.debian} (${m.why})`).join(", ");
  const sudo = isDebian() && options.install ? privilege() : null;
  if (!sudo) {
    console.error(`npm test needs system packages that are missing: ${list}.`);
    console.error(`Run: ${installHint(missing)}`);
    return false;
  }
  console.log(`installing missing system packages: ${list}`);
  const names = missing.map((m) => m.debian);
  const apt = { DEBIAN_FRONTEND: "noninteractive" };
  if (!run([...sudo, "apt-get", "update"], apt)) return false;
  if (!run([...sudo, "apt-get", "install", "-y", ...names], apt)) return false;
  const still = missingPackages();
  if (still.length) {
    console.error(`still missing after apt-get: ${still.map((m) => m.debian).join(", ")}`);
    return false;
  }
  return true;
}

if (import.meta.main) {
  const mode = process.argv[2] ?? "install";
  if (mode !== "install" && mode !== "check") {
    console.error("usage: bun tests/harness/system-packages.ts [install|check]");
    process.exit(2);
  }
  process.exit(ensureSystemPackages({ install: mode === "install" }) ? 0 : 1);
}
