// `service install|uninstall`: writes the systemd unit or the Windows task and runs the system's tools,
// or with --print shows exactly what it would write and run.
import { existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";
import { isCompiled } from "../config.ts";
import {
  encodeUtf16le,
  type ServiceSpec,
  systemdInstallCommands,
  systemdUninstallCommands,
  systemdUnit,
  systemdUnitPath,
  windowsInstallCommands,
  windowsTaskXml,
  windowsUninstallCommands,
} from "./service-units.ts";

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
    user: platform === "linux" ? flags.user ?? userInfo().username : undefined,
    envFile: flags.envFile ? resolve(flags.envFile) : null,
  };
}

const show = (argv: string[]) => argv.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(" ");

function runAll(commands: string[][], tolerate: (argv: string[]) => boolean = () => false): void {
  for (const argv of commands) {
    console.log(`$ ${show(argv)}`);
    const result = Bun.spawnSync(argv, { stdout: "inherit", stderr: "inherit" });
    if (result.exitCode !== 0 && !tolerate(argv)) {
      throw new Error(`\`${show(argv)}\` failed with exit code ${result.exitCode}`);
    }
  }
}

export function serviceCommand(flags: ServiceFlags): number {
  if (flags.action !== "install" && flags.action !== "uninstall") {
    console.error(`unknown action "${flags.action}": use install or uninstall`);
    return 2;
  }
  const platform = (flags.platform ?? (process.platform === "win32" ? "windows" : "linux")) as
    | "linux"
    | "windows";
  if (platform !== "linux" && platform !== "windows") {
    console.error(`unsupported platform "${flags.platform}": use linux or windows`);
    return 2;
  }
  const spec = serviceSpec(flags, platform);
  return platform === "linux" ? linux(flags, spec) : windows(flags, spec);
}

function linux(flags: ServiceFlags, spec: ServiceSpec): number {
  const path = systemdUnitPath(spec.name);
  if (flags.action === "install") {
    const unit = systemdUnit(spec);
    if (flags.print || !Bun.which("systemctl")) {
      if (!flags.print) {
        console.error("systemctl was not found: here is the unit to install by hand.");
      }
      console.log(`# ${path}\n${unit}`);
      for (const argv of systemdInstallCommands(spec.name)) console.log(`$ ${show(argv)}`);
      return flags.print ? 0 : 1;
    }
    try {
      writeFileSync(path, unit, { mode: 0o644 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EACCES") {
        console.error(`cannot write ${path}: run it as root (sudo puente-agent service install)`);
        return 1;
      }
      throw error;
    }
    console.log(`wrote ${path}`);
    runAll(systemdInstallCommands(spec.name));
    console.log(`installed: follow it with \`journalctl -u ${spec.name} -f\``);
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
  console.log(`removed ${spec.name}`);
  return 0;
}

function windows(flags: ServiceFlags, spec: ServiceSpec): number {
  if (flags.action === "install") {
    const xml = windowsTaskXml(spec);
    if (flags.print) {
      console.log(`# task.xml (saved as UTF-16)\n${xml}`);
      for (const argv of windowsInstallCommands(spec.name, "task.xml")) {
        console.log(`> ${show(argv)}`);
      }
      return 0;
    }
    const dir = mkdtempSync(join(tmpdir(), "puente-task-"));
    try {
      const xmlPath = join(dir, "task.xml");
      writeFileSync(xmlPath, encodeUtf16le(xml));
      runAll(windowsInstallCommands(spec.name, xmlPath));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(
      `installed the scheduled task "${spec.name}" (starts at boot, restarts on failure)`,
    );
    return 0;
  }
  if (flags.print) {
    for (const argv of windowsUninstallCommands(spec.name)) console.log(`> ${show(argv)}`);
    return 0;
  }
  runAll(windowsUninstallCommands(spec.name), (argv) => argv.includes("/End"));
  console.log(`removed the scheduled task "${spec.name}"`);
  return 0;
}
