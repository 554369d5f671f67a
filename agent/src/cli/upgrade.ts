// `upgrade <new executable>`: replaces the installed agent safely and restarts its service. A running
// .exe cannot be overwritten on Windows, but it can be renamed: so the new file is checked first (it
// must run and call itself puente-agent), the service is stopped gracefully (its run pauses and resumes
// after), the installed file is renamed to `.old`, the new one copied into its place and checked again,
// and the service started. Any failure after the rename puts the old executable back.
import { copyFileSync, existsSync, realpathSync, renameSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { t } from "../i18n/i18n.ts";

export interface ServiceControl {
  stop(): void;
  start(): void;
}

export interface UpgradeOptions {
  /** The new executable. */
  source: string;
  /** The installed executable to replace. */
  installed: string;
  service: ServiceControl;
  /** Runs `<exe> version`; returns its first line, or null when it does not run. */
  versionOf?: (exe: string) => string | null;
  log?: (line: string) => void;
}

export class UpgradeRefused extends Error {
  override readonly name = "UpgradeRefused";
  readonly code = "upgrade_refused";
}

/** `<exe> version`'s output, or null when it does not run or is not a puente-agent. */
export function agentVersionOf(exe: string): string | null {
  try {
    const result = Bun.spawnSync([exe, "version"], {
      stdout: "pipe",
      stderr: "ignore",
      env: { PATH: process.env.PATH ?? "" },
      timeout: 60_000,
    });
    const line = result.stdout.toString().split(/\r?\n/)[0]?.trim() ?? "";
    return result.exitCode === 0 && /^puente-agent \S+/.test(line) ? line : null;
  } catch {
    return null;
  }
}

export const backupPath = (installed: string) => `${installed}.old`;

/** Replaces `installed` with `source`; resolves with the new version line. */
export function upgradeAgent(options: UpgradeOptions): string {
  const log = options.log ?? console.log;
  const versionOf = options.versionOf ?? agentVersionOf;
  const source = resolve(options.source);
  const installed = resolve(options.installed);
  if (!existsSync(source)) throw new UpgradeRefused(t("upgrade.missing", { path: source }));
  if (!existsSync(installed)) {
    throw new UpgradeRefused(t("upgrade.notInstalledAt", { path: installed }));
  }
  if (realpathSync(source) === realpathSync(installed)) {
    throw new UpgradeRefused(t("upgrade.sameFile", { path: source }));
  }
  const newVersion = versionOf(source);
  if (!newVersion) throw new UpgradeRefused(t("upgrade.notAgent", { path: source }));
  const oldVersion = versionOf(installed) ?? t("upgrade.unknownVersion");
  log(t("upgrade.upgrading", { installed, from: oldVersion, to: newVersion }));

  const backup = backupPath(installed);
  // A backup left by the previous upgrade (its process has ended since).
  rmSync(backup, { force: true });
  const staged = join(dirname(installed), `.upgrade-${process.pid}.tmp`);
  copyFileSync(source, staged);

  log(t("upgrade.stopping"));
  options.service.stop();
  let isReplaced = false;
  try {
    renameSync(installed, backup);
    isReplaced = true;
    renameSync(staged, installed);
    const running = versionOf(installed);
    if (running !== newVersion) {
      throw new Error(t("upgrade.copyDoesNotRun", { detail: String(running) }));
    }
  } catch (error) {
    rmSync(staged, { force: true });
    if (isReplaced) {
      rmSync(installed, { force: true });
      renameSync(backup, installed);
    }
    log(t("upgrade.failed", { reason: (error as Error).message }));
    options.service.start();
    throw error;
  }
  log(t("upgrade.starting"));
  options.service.start();
  log(t("upgrade.done", { version: newVersion, backup }));
  return newVersion;
}
