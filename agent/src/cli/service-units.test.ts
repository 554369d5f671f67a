import { describe, expect, test } from "bun:test";
import { EXIT_KEY_INVALID } from "../exit-codes.ts";
import {
  encodeUtf16le,
  quoteWindows,
  systemdInstallCommands,
  systemdUnit,
  TASK_PRIORITY,
  windowsDisableCommand,
  windowsEndCommand,
  windowsInstallCommands,
  windowsTaskXml,
} from "./service-units.ts";
import { durationSeconds, parseXml, validateTaskXml } from "../../test/task-schema.ts";
import { currentUserName } from "./service.ts";

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

  test("runs as the real user of this uid, not $USER", () => {
    const passwd = () => "root:x:0:0::/root:/bin/sh\nana:x:1000:1000::/home/ana:/bin/sh\n";
    expect(currentUserName(1000, passwd)).toBe("ana");
    expect(currentUserName(0, passwd)).toBe("root");
    const saved = process.env.USER;
    process.env.USER = "unknown";
    try {
      expect(currentUserName()).not.toBe("unknown");
    } finally {
      process.env.USER = saved;
    }
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

  test("the task XML is valid against the Task Scheduler schema's constraints", () => {
    expect(validateTaskXml(windowsTaskXml(windows))).toEqual([]);
    // Paths with XML's special characters stay valid once escaped.
    const odd = {
      ...windows,
      command: ["C:\\A & B <x>\\puente.exe"],
      workingDirectory: "C:\\A & B",
    };
    expect(validateTaskXml(windowsTaskXml(odd))).toEqual([]);
  });

  test("the validator refuses what schtasks refuses (so the test above can fail)", () => {
    const valid = windowsTaskXml(windows);
    const withCount = valid.replace(/<Count>\d+<\/Count>/, "<Count>999</Count>");
    expect(validateTaskXml(withCount)).toEqual([
      '/Task/Settings/RestartOnFailure/Count: "999" is not an unsignedByte of at least 1 (1–255)',
    ]);
    expect(validateTaskXml(valid.replace(/<Count>\d+<\/Count>/, "<Count>0</Count>"))).toHaveLength(
      1,
    );
    expect(validateTaskXml(valid.replace("<Priority>5</Priority>", "<Priority>11</Priority>")))
      .toHaveLength(1);
    expect(
      validateTaskXml(
        valid.replace("<Interval>PT1M</Interval><Count>", "<Interval>PT30S</Interval><Count>"),
      ),
    )
      .toEqual(['/Task/Settings/RestartOnFailure/Interval: "PT30S" is below the minimum']);
    expect(validateTaskXml(valid.replace("IgnoreNew", "Ignore"))).toHaveLength(1);
    expect(
      validateTaskXml(
        valid.replace("<Delay>PT30S</Delay>", "<Delay>PT30S</Delay><Enabled>true</Enabled>"),
      ),
    )
      .toContain("/Task/Triggers/BootTrigger: <Enabled> is out of order");
    expect(validateTaskXml(valid.replace("<Hidden>false</Hidden>", "<Hiden>false</Hiden>")))
      .toEqual(["/Task/Settings: <Hiden> is not allowed here"]);
    expect(validateTaskXml(valid.replace(/<StartBoundary>[^<]*<\/StartBoundary>/, ""))).toEqual([
      "/Task/Triggers/TimeTrigger: <StartBoundary> is required",
    ]);
    expect(durationSeconds("P31DT1S")).toBe(31 * 86_400 + 1);
    expect(durationSeconds("PT")).toBeNull();
  });

  test("as SYSTEM, at boot and every minute, one at a time, normal priority, no time limit", () => {
    const task = parseXml(windowsTaskXml(windows));
    const find = (path: string) =>
      path.split("/").reduce<typeof task | undefined>(
        (node, name) => node?.children.find((c) => c.name === name),
        task,
      );
    expect(find("Principals/Principal/UserId")?.text).toBe("S-1-5-18");
    expect(find("Triggers/BootTrigger")).toBeDefined();
    // A crashed or ended agent is started again by the next firing: within a minute.
    expect(find("Triggers/TimeTrigger/Repetition/Interval")?.text).toBe("PT1M");
    expect(find("Triggers/TimeTrigger/Repetition/Duration")).toBeUndefined();
    expect(find("Settings/MultipleInstancesPolicy")?.text).toBe("IgnoreNew");
    expect(find("Settings/Priority")?.text).toBe(String(TASK_PRIORITY));
    expect(TASK_PRIORITY).toBeGreaterThanOrEqual(4); // 4–6: NORMAL_PRIORITY_CLASS
    expect(TASK_PRIORITY).toBeLessThanOrEqual(6);
    expect(find("Settings/ExecutionTimeLimit")?.text).toBe("PT0S");
    expect(find("Actions/Exec/Command")?.text).toBe(
      "C:\\Program Files\\Puente\\puente-agent-windows-x64.exe",
    );
    expect(find("Actions/Exec/Arguments")?.text).toBe(
      'run --env-file "C:\\Program Files\\Puente\\.env"',
    );
  });

  test("exact schtasks command lines; a stop disables the task before it may end it", () => {
    expect(windowsInstallCommands("Puente Agent", "C:\\Temp\\task.xml")).toEqual([
      ["schtasks.exe", "/Create", "/TN", "Puente Agent", "/XML", "C:\\Temp\\task.xml", "/F"],
      ["schtasks.exe", "/Run", "/TN", "Puente Agent"],
    ]);
    expect(windowsDisableCommand("Puente Agent")).toEqual([
      "schtasks.exe",
      "/Change",
      "/TN",
      "Puente Agent",
      "/DISABLE",
    ]);
    expect(windowsEndCommand("Puente Agent")).toEqual([
      "schtasks.exe",
      "/End",
      "/TN",
      "Puente Agent",
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
