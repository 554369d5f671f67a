// `service install|uninstall|start|stop`: writes the systemd unit or the Windows task and runs the
// system's tools, or with --print shows exactly what it would write and run.
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { defaultHomeDir, isCompiled, loadConfig } from "../config.ts";
import { lockHolder } from "../lock.ts";
import { requestStop, stopRequestPath } from "../stop-request.ts";
import {
  linuxUnsafe,
  parseAccessRules,
  untrustedWriters,
  windowsAclCommand,
  windowsRestrictCommands,
} from "./install-security.ts";
import {
  encodeUtf16le,
  type ServiceSpec,
  systemdInstallCommands,
  systemdUninstallCommands,
  systemdUnit,
  systemdUnitPath,
  windowsDeleteCommand,
  windowsDisableCommand,
  windowsEndCommand,
  windowsInstallCommands,
  windowsStartCommands,
  windowsTaskXml,
} from "./service-units.ts";
import { t } from "../i18n/i18n.ts";

export interface ServiceFlags {
  action: string;
  print: boolean;
  name?: string;
  user?: string;
  platform?: string;
  envFile: string | null;
}

/** The command that starts this agent: the executable itself, or bun with main.ts from source. */
export function agentCommand(): string[] {
  return isCompiled()
    ? [process.execPath]
    : [process.execPath, resolve(import.meta.dir, "..", "main.ts")];
}

export function serviceSpec(flags: ServiceFlags, platform: "linux" | "windows"): ServiceSpec {
  const command = agentCommand();
  return {
    name: flags.name ?? (platform === "windows" ? "Puente Agent" : "puente-agent"),
    command,
    workingDirectory: isCompiled() ? dirname(process.execPath) : process.cwd(),
    user: platform === "linux" ? flags.user ?? currentUserName() : undefined,
    envFile: flags.envFile ? resolve(flags.envFile) : null,
  };
}

/**
 * The account this process runs as, from its real uid. Bun's os.userInfo() reads $USER, which sudo,
 * su and service environments do not always set (a unit once got `User=unknown`).
 */
export function currentUserName(
  uid = process.getuid?.() ?? -1,
  passwd = () => readFileSync("/etc/passwd", "utf8"),
): string {
  if (uid === 0) return "root";
  try {
    for (const line of passwd().split("\n")) {
      const [name, , id] = line.split(":");
      if (name && Number(id) === uid) return name;
    }
  } catch {
    // No /etc/passwd: fall through to id(1).
  }
  const id = Bun.spawnSync(["id", "-un"], { stdout: "pipe", stderr: "ignore" });
  const name = id.exitCode === 0 ? id.stdout.toString().trim() : "";
  if (!name) throw new Error(t("service.unknownUser", { uid }));
  return name;
}

/** The state folder the installed agent uses: from its configuration when it loads, else the default. */
function stateDirOf(envFile: string | null): string {
  try {
    return loadConfig({ envFile: envFile ?? undefined }).stateDir;
  } catch {
    return join(defaultHomeDir(), "state");
  }
}

const show = (argv: string[]) => argv.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(" ");

function runAll(commands: string[][], tolerate: (argv: string[]) => boolean = () => false): void {
  for (const argv of commands) {
    console.log(`$ ${show(argv)}`);
    const result = Bun.spawnSync(argv, { stdout: "inherit", stderr: "inherit" });
    if (result.exitCode !== 0 && !tolerate(argv)) {
      throw new Error(
        t("service.commandFailed", { command: show(argv), code: String(result.exitCode) }),
      );
    }
  }
}

export function serviceCommand(flags: ServiceFlags): number {
  if (!["install", "uninstall", "start", "stop"].includes(flags.action)) {
    console.error(t("service.unknownAction", { action: flags.action }));
    return 2;
  }
  const platform = (flags.platform ?? (process.platform === "win32" ? "windows" : "linux")) as
    | "linux"
    | "windows";
  if (platform !== "linux" && platform !== "windows") {
    console.error(t("service.unknownPlatform", { platform: String(flags.platform) }));
    return 2;
  }
  const spec = serviceSpec(flags, platform);
  return platform === "linux" ? linux(flags, spec) : windows(flags, spec);
}

function linux(flags: ServiceFlags, spec: ServiceSpec): number {
  const path = systemdUnitPath(spec.name);
  if (flags.action === "start" || flags.action === "stop") {
    // systemd stops with SIGTERM and waits (TimeoutStopSec): the agent pauses its run on it.
    const argv = ["systemctl", flags.action, `${spec.name}.service`];
    if (flags.print) {
      console.log(`$ ${show(argv)}`);
      return 0;
    }
    runAll([argv]);
    return 0;
  }
  if (flags.action === "install") {
    const unit = systemdUnit(spec);
    const unsafe = filesTheServiceTrusts(spec).map(linuxUnsafe).filter((p) => p !== null);
    if (unsafe.length && !flags.print) {
      console.error(t("service.refuseLinux", { problems: unsafe.join("\n") }));
      return 1;
    }
    if (flags.print || !Bun.which("systemctl")) {
      if (!flags.print) {
        console.error(t("service.noSystemctl"));
      }
      console.log(`# ${path}\n${unit}`);
      for (const argv of systemdInstallCommands(spec.name)) console.log(`$ ${show(argv)}`);
      return flags.print ? 0 : 1;
    }
    try {
      writeFileSync(path, unit, { mode: 0o644 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EACCES") {
        console.error(t("service.cannotWrite", { path }));
        return 1;
      }
      throw error;
    }
    console.log(t("service.wrote", { path }));
    runAll(systemdInstallCommands(spec.name));
    console.log(t("service.installedLinux", { name: spec.name }));
    return 0;
  }
  if (flags.print || !Bun.which("systemctl")) {
    for (const argv of systemdUninstallCommands(spec.name)) console.log(`$ ${show(argv)}`);
    console.log(`$ rm ${path}\n$ systemctl daemon-reload`);
    return flags.print ? 0 : 1;
  }
  runAll(systemdUninstallCommands(spec.name), () => true);
  if (existsSync(path)) unlinkSync(path);
  runAll([["systemctl", "daemon-reload"]]);
  console.log(t("service.removed", { name: spec.name }));
  return 0;
}

/** How long `service stop` waits for the agent to pause its run before Windows ends it. */
export const GRACEFUL_STOP_MS = 120_000;

/** The executable (not bun itself, from source) and the .env the service runs with. */
function filesTheServiceTrusts(spec: ServiceSpec): string[] {
  return [...(isCompiled() ? [spec.command[0]!] : []), ...(spec.envFile ? [spec.envFile] : [])]
    .filter((path) => existsSync(path));
}

/**
 * Restricts the install folder to SYSTEM and Administrators, then reads back who may write the
 * executable and the .env; returns the problems (empty: safe to install).
 */
function secureWindowsInstall(spec: ServiceSpec): string[] {
  runAll(windowsRestrictCommands(spec.workingDirectory));
  const problems: string[] = [];
  for (const file of filesTheServiceTrusts(spec)) {
    const acl = Bun.spawnSync(windowsAclCommand(file), { stdout: "pipe", stderr: "pipe" });
    if (acl.exitCode !== 0) {
      problems.push(t("service.aclUnreadable", { file, detail: acl.stderr.toString().trim() }));
      continue;
    }
    const writers = untrustedWriters(parseAccessRules(acl.stdout.toString()));
    if (writers.length) {
      problems.push(t("service.writableBy", { file, writers: writers.join(", ") }));
    }
  }
  return problems;
}

function windows(flags: ServiceFlags, spec: ServiceSpec): number {
  if (flags.action === "install") {
    const xml = windowsTaskXml(spec);
    if (flags.print) {
      for (const argv of windowsRestrictCommands(spec.workingDirectory)) {
        console.log(`> ${show(argv)}`);
      }
      console.log(`# task.xml (${t("service.savedAsUtf16")})\n${xml}`);
      for (const argv of windowsInstallCommands(spec.name, "task.xml")) {
        console.log(`> ${show(argv)}`);
      }
      return 0;
    }
    const problems = secureWindowsInstall(spec);
    if (problems.length) {
      console.error(t("service.refuseWindows", { problems: problems.join("\n") }));
      return 1;
    }
    const dir = mkdtempSync(join(tmpdir(), "puente-task-"));
    try {
      const xmlPath = join(dir, "task.xml");
      writeFileSync(xmlPath, encodeUtf16le(xml));
      runAll(windowsInstallCommands(spec.name, xmlPath));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(t("service.installedWindows", { name: spec.name }));
    return 0;
  }
  if (flags.action === "start") {
    if (flags.print) {
      for (const argv of windowsStartCommands(spec.name)) console.log(`> ${show(argv)}`);
      return 0;
    }
    runAll(windowsStartCommands(spec.name));
    return 0;
  }
  // stop and uninstall: disable the task, ask the agent to stop, end it only if it does not.
  const stateDir = stateDirOf(flags.envFile);
  const plan = [
    windowsDisableCommand(spec.name),
    ["(write)", stopRequestPath(stateDir)],
    windowsEndCommand(spec.name),
    ...(flags.action === "uninstall" ? [windowsDeleteCommand(spec.name)] : []),
  ];
  if (flags.print) {
    for (const argv of plan) console.log(`> ${show(argv)}`);
    return 0;
  }
  runAll([windowsDisableCommand(spec.name)], () => flags.action === "uninstall");
  const stopped = stopGracefully(stateDir, GRACEFUL_STOP_MS);
  if (!stopped) console.error(t("service.stopTimeout"));
  runAll([windowsEndCommand(spec.name)], () => true);
  if (flags.action === "uninstall") {
    runAll([windowsDeleteCommand(spec.name)]);
    console.log(t("service.removedTask", { name: spec.name }));
  } else {
    console.log(t("service.stopped", { name: spec.name }));
  }
  return 0;
}

/** Asks the agent using `stateDir` to stop and waits until its lock is free; false on timeout. */
export function stopGracefully(stateDir: string, timeoutMs: number): boolean {
  const lock = join(stateDir, "agent.lock");
  const isRunning = () => lockHolder(lock) !== null;
  if (!isRunning()) return true;
  requestStop(stopRequestPath(stateDir));
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!isRunning()) return true;
    Bun.sleepSync(500);
  }
  return false;
}
