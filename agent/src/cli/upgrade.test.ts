import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentVersionOf, backupPath, upgradeAgent, UpgradeRefused } from "./upgrade.ts";
import { setCliLang } from "../i18n/i18n.ts";

// These tests read the CLI's English messages.
beforeAll(() => setCliLang("en"));

const dir = mkdtempSync(join(tmpdir(), "puente-upgrade-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An executable that answers `version` like puente-agent <version> (or fails when version is null). */
function executable(name: string, version: string | null): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    version === null
      ? "#!/bin/sh\nexit 1\n"
      : `#!/bin/sh\necho "puente-agent ${version} (protocol v1, test)"\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

function recordingService() {
  const calls: string[] = [];
  return { calls, stop: () => calls.push("stop"), start: () => calls.push("start") };
}

describe("upgrade", () => {
  test("checks the new file, stops the service, swaps the executable, starts it, keeps .old", () => {
    const installed = executable("a-installed", "0.1.0");
    const source = executable("a-new", "0.2.0");
    const service = recordingService();
    const order: string[] = [];
    const version = upgradeAgent({
      source,
      installed,
      service: {
        stop: () => {
          // Stopped before the installed file is touched.
          expect(agentVersionOf(installed)).toContain("0.1.0");
          order.push("stop");
        },
        start: () => {
          expect(agentVersionOf(installed)).toContain("0.2.0");
          order.push("start");
        },
      },
      log: () => {},
    });
    expect(version).toBe("puente-agent 0.2.0 (protocol v1, test)");
    expect(order).toEqual(["stop", "start"]);
    expect(agentVersionOf(installed)).toContain("0.2.0");
    expect(agentVersionOf(backupPath(installed))).toContain("0.1.0");
    expect(service.calls).toEqual([]);
    // The staged copy is gone.
    expect(readFileSync(installed, "utf8")).toBe(readFileSync(source, "utf8"));
  });

  test("a file that is not a puente-agent is refused before anything stops or changes", () => {
    const installed = executable("b-installed", "0.1.0");
    const before = readFileSync(installed, "utf8");
    const service = recordingService();
    for (const source of [executable("b-broken", null), join(dir, "missing.exe"), installed]) {
      expect(() => upgradeAgent({ source, installed, service, log: () => {} })).toThrow(
        UpgradeRefused,
      );
    }
    expect(service.calls).toEqual([]);
    expect(readFileSync(installed, "utf8")).toBe(before);
    expect(existsSync(backupPath(installed))).toBe(false);
  });

  test("when the copied executable does not run, the old one is put back and started", () => {
    const installed = executable("c-installed", "0.1.0");
    const source = executable("c-new", "0.3.0");
    const before = readFileSync(installed, "utf8");
    const service = recordingService();
    // The check after the copy fails (a disk full, an antivirus quarantining it): simulated here.
    const versionOf = (exe: string) =>
      exe === installed && readFileSync(exe, "utf8").includes("0.3.0") ? null : agentVersionOf(exe);
    expect(() => upgradeAgent({ source, installed, service, versionOf, log: () => {} }))
      .toThrow("does not run");
    expect(service.calls).toEqual(["stop", "start"]);
    expect(readFileSync(installed, "utf8")).toBe(before);
    expect(existsSync(backupPath(installed))).toBe(false);
  });
});
