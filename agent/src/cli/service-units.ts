// What `service install` writes and runs, generated as plain data so it can be shown (--print) and
// tested: a systemd unit on Linux; on Windows a scheduled task (at boot and every minute, as SYSTEM,
// one instance at a time). A plain executable cannot answer Windows' service control manager, so
// sc.exe would time out on it (error 1053); a scheduled task runs it as is. The task's XML follows
// Microsoft's Task Scheduler schema (MS-TSCH §2.5, task.xsd); service-units.test.ts checks it.

import { EXIT_KEY_INVALID } from "../exit-codes.ts";

export interface ServiceSpec {
  /** Service / task name. */
  name: string;
  /** The program and its arguments up to (not including) `run`. */
  command: string[];
  workingDirectory: string;
  /** Linux: the account it runs as. */
  user?: string;
  /** The .env file the agent reads, passed as --env-file. */
  envFile?: string | null;
}

const quoteSystemd = (arg: string) =>
  /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\])/g, "\\$1")}"`;

export function runArguments(spec: ServiceSpec): string[] {
  return [...spec.command, "run", ...(spec.envFile ? ["--env-file", spec.envFile] : [])];
}

export function systemdUnitPath(name: string): string {
  return `/etc/systemd/system/${name}.service`;
}

export function systemdUnit(spec: ServiceSpec): string {
  return [
    "[Unit]",
    "Description=Puente office agent (FerraWin and Wispro sync)",
    "Wants=network-online.target",
    "After=network-online.target",
    "StartLimitIntervalSec=0",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${runArguments(spec).map(quoteSystemd).join(" ")}`,
    `WorkingDirectory=${quoteSystemd(spec.workingDirectory)}`,
    ...(spec.user ? [`User=${spec.user}`] : []),
    "Restart=on-failure",
    "RestartSec=10",
    `RestartPreventExitStatus=${EXIT_KEY_INVALID}`,
    "KillSignal=SIGTERM",
    "TimeoutStopSec=120",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

export const systemdInstallCommands = (name: string): string[][] => [
  ["systemctl", "daemon-reload"],
  ["systemctl", "enable", "--now", `${name}.service`],
];

export const systemdUninstallCommands = (name: string): string[][] => [
  ["systemctl", "disable", "--now", `${name}.service`],
];

const escapeXml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Windows quoting for one argument of a command line (CommandLineToArgvW rules). */
export function quoteWindows(arg: string): string {
  if (arg && !/[\s"]/.test(arg)) return arg;
  return `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, "$1$1")}"`;
}

/**
 * Task Scheduler priority 5: NORMAL_PRIORITY_CLASS with normal I/O and memory priority. The default, 7,
 * runs a task below normal, which would slow a sync down whenever anyone uses the PC.
 */
export const TASK_PRIORITY = 5;

/**
 * How often the task's repeating trigger fires. With `IgnoreNew` a firing while the agent runs does
 * nothing, so this is how soon an agent that crashed, or was ended, is started again.
 */
export const TASK_REPEAT_INTERVAL = "PT1M";

/**
 * The Task Scheduler definition: started at boot and by a trigger that repeats every minute forever
 * (IgnoreNew: at most one agent), as SYSTEM, at normal priority, without a time limit. RestartOnFailure
 * only covers an instance that failed to start, so the repeating trigger is what restarts a crash.
 */
export function windowsTaskXml(spec: ServiceSpec): string {
  const [program, ...args] = runArguments(spec);
  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<Task version="1.4" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    "  <RegistrationInfo>",
    "    <Author>Puente</Author>",
    "    <Description>Puente office agent (FerraWin and Wispro sync)</Description>",
    "  </RegistrationInfo>",
    "  <Triggers>",
    "    <BootTrigger><Enabled>true</Enabled><Delay>PT30S</Delay></BootTrigger>",
    "    <TimeTrigger>",
    "      <Enabled>true</Enabled>",
    "      <StartBoundary>2000-01-01T00:00:00</StartBoundary>",
    `      <Repetition><Interval>${TASK_REPEAT_INTERVAL}</Interval><StopAtDurationEnd>false</StopAtDurationEnd></Repetition>`,
    "    </TimeTrigger>",
    "  </Triggers>",
    "  <Principals>",
    '    <Principal id="Author"><UserId>S-1-5-18</UserId><RunLevel>HighestAvailable</RunLevel></Principal>',
    "  </Principals>",
    "  <Settings>",
    "    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>",
    "    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>",
    "    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>",
    "    <AllowHardTerminate>true</AllowHardTerminate>",
    "    <StartWhenAvailable>true</StartWhenAvailable>",
    "    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>",
    "    <AllowStartOnDemand>true</AllowStartOnDemand>",
    "    <Enabled>true</Enabled>",
    "    <Hidden>false</Hidden>",
    "    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>",
    `    <Priority>${TASK_PRIORITY}</Priority>`,
    "    <RestartOnFailure><Interval>PT1M</Interval><Count>255</Count></RestartOnFailure>",
    "  </Settings>",
    '  <Actions Context="Author">',
    "    <Exec>",
    `      <Command>${escapeXml(program!)}</Command>`,
    `      <Arguments>${escapeXml(args.map(quoteWindows).join(" "))}</Arguments>`,
    `      <WorkingDirectory>${escapeXml(spec.workingDirectory)}</WorkingDirectory>`,
    "    </Exec>",
    "  </Actions>",
    "</Task>",
    "",
  ].join("\r\n");
}

export const windowsInstallCommands = (name: string, xmlPath: string): string[][] => [
  ["schtasks.exe", "/Create", "/TN", name, "/XML", xmlPath, "/F"],
  ["schtasks.exe", "/Run", "/TN", name],
];

/**
 * A stop on Windows: first the task is disabled so its repeating trigger does not start the agent
 * again, then the agent is asked to stop through its stop-request file (see stop-request.ts) and given
 * time to pause its run; `/End` (which kills at once) only follows if it has not stopped by then.
 */
export const windowsDisableCommand = (name: string): string[] => [
  "schtasks.exe",
  "/Change",
  "/TN",
  name,
  "/DISABLE",
];
export const windowsEndCommand = (name: string): string[] => ["schtasks.exe", "/End", "/TN", name];
export const windowsStartCommands = (name: string): string[][] => [
  ["schtasks.exe", "/Change", "/TN", name, "/ENABLE"],
  ["schtasks.exe", "/Run", "/TN", name],
];
export const windowsDeleteCommand = (name: string): string[] => [
  "schtasks.exe",
  "/Delete",
  "/TN",
  name,
  "/F",
];

/** UTF-16LE with a byte order mark: what schtasks /XML reads reliably. */
export function encodeUtf16le(text: string): Uint8Array {
  const bytes = new Uint8Array(2 + text.length * 2);
  bytes[0] = 0xff;
  bytes[1] = 0xfe;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes[2 + i * 2] = unit & 0xff;
    bytes[3 + i * 2] = unit >> 8;
  }
  return bytes;
}
