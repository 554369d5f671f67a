import { describe, expect, test } from "bun:test";
import {
  encodeUtf16le,
  EXIT_KEY_INVALID,
  quoteWindows,
  systemdInstallCommands,
  systemdUnit,
  windowsInstallCommands,
  windowsTaskXml,
  windowsUninstallCommands,
} from "./service-units.ts";

const linux = {
  name: "puente-agent",
  command: ["/opt/puente/puente-agent-linux-x64"],
  workingDirectory: "/opt/puente",
  user: "puente",
  envFile: "/opt/puente/.env",
};

describe("systemd unit", () => {
  test("starts after the network, restarts on failure except for a refused key", () => {
    const unit = systemdUnit(linux);
    expect(unit).toContain("After=network-online.target\n");
    expect(unit).toContain("Wants=network-online.target\n");
    expect(unit).toContain(
      "ExecStart=/opt/puente/puente-agent-linux-x64 run --env-file /opt/puente/.env\n",
    );
    expect(unit).toContain("Restart=on-failure\n");
    expect(unit).toContain(`RestartPreventExitStatus=${EXIT_KEY_INVALID}\n`);
    expect(unit).toContain("User=puente\n");
    expect(unit).toContain("WantedBy=multi-user.target");
  });

  test("quotes paths with spaces", () => {
    const unit = systemdUnit({ ...linux, command: ["/usr/bin/bun", "/home/ana/my agent/main.ts"] });
    expect(unit).toContain('ExecStart=/usr/bin/bun "/home/ana/my agent/main.ts" run');
  });

  test("enables and starts it", () => {
    expect(systemdInstallCommands("puente-agent")).toEqual([
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "--now", "puente-agent.service"],
    ]);
  });
});

describe("Windows task", () => {
  const windows = {
    name: "Puente Agent",
    command: ["C:\\Program Files\\Puente\\puente-agent-windows-x64.exe"],
    workingDirectory: "C:\\Program Files\\Puente",
    envFile: "C:\\Program Files\\Puente\\.env",
  };

  test("runs at boot as SYSTEM, without a time limit, restarting on failure", () => {
    const xml = windowsTaskXml(windows);
    expect(xml).toContain("<BootTrigger>");
    expect(xml).toContain("<UserId>S-1-5-18</UserId>");
    expect(xml).toContain("<ExecutionTimeLimit>PT0S</ExecutionTimeLimit>");
    expect(xml).toContain(
      "<RestartOnFailure><Interval>PT1M</Interval><Count>999</Count></RestartOnFailure>",
    );
    expect(xml).toContain(
      "<Command>C:\\Program Files\\Puente\\puente-agent-windows-x64.exe</Command>",
    );
    expect(xml).toContain(
      "<Arguments>run --env-file &quot;C:\\Program Files\\Puente\\.env&quot;</Arguments>",
    );
    expect(xml.split("\r\n").length).toBeGreaterThan(20);
  });

  test("exact schtasks command lines", () => {
    expect(windowsInstallCommands("Puente Agent", "C:\\Temp\\task.xml")).toEqual([
      ["schtasks.exe", "/Create", "/TN", "Puente Agent", "/XML", "C:\\Temp\\task.xml", "/F"],
      ["schtasks.exe", "/Run", "/TN", "Puente Agent"],
    ]);
    expect(windowsUninstallCommands("Puente Agent")).toEqual([
      ["schtasks.exe", "/End", "/TN", "Puente Agent"],
      ["schtasks.exe", "/Delete", "/TN", "Puente Agent", "/F"],
    ]);
  });

  test("Windows argument quoting follows CommandLineToArgvW", () => {
    expect(quoteWindows("plain")).toBe("plain");
    expect(quoteWindows("a b")).toBe('"a b"');
    expect(quoteWindows('say "hi"')).toBe('"say \\"hi\\""');
    expect(quoteWindows("C:\\dir with space\\")).toBe('"C:\\dir with space\\\\"');
    expect(quoteWindows("")).toBe('""');
  });

  test("the XML is saved as UTF-16LE with a byte order mark", () => {
    const bytes = encodeUtf16le("<é>");
    expect([...bytes]).toEqual([0xff, 0xfe, 0x3c, 0x00, 0xe9, 0x00, 0x3e, 0x00]);
  });
});
