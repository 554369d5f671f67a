import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  linuxUnsafe,
  parseAccessRules,
  SID,
  untrustedWriters,
  windowsAclCommand,
  windowsRestrictCommands,
} from "./install-security.ts";

const dir = mkdtempSync(join(tmpdir(), "puente-acl-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("Windows permissions", () => {
  test("the folder is taken off inheritance and left to SYSTEM and Administrators", () => {
    const commands = windowsRestrictCommands("C:\\Program Files\\Puente");
    expect(commands[0]).toEqual([
      "icacls.exe",
      "C:\\Program Files\\Puente",
      "/inheritance:r",
      "/Q",
    ]);
    expect(commands[1]).toContain("*S-1-5-18:(OI)(CI)F");
    expect(commands[1]).toContain("*S-1-5-32-544:(OI)(CI)F");
    expect(commands[2]).toEqual(expect.arrayContaining(["*S-1-5-11", "*S-1-5-32-545", "*S-1-1-0"]));
  });

  test("C:\\Puente's inherited rules let Authenticated Users write: refused", () => {
    // What Get-Acl prints (by SID, rights as numbers) for a folder made at the root of C:.
    const rootOfC = [
      "S-1-5-32-544|2032127|Allow", // Administrators: FullControl
      "S-1-5-18|2032127|Allow", // SYSTEM: FullControl
      "S-1-5-32-545|1179817|Allow", // Users: ReadAndExecute
      "S-1-5-11|1245631|Allow", // Authenticated Users: Modify
      "S-1-5-11|-536805376|Allow", // Authenticated Users: generic inherit-only (Modify on children)
    ].join("\r\n");
    expect(untrustedWriters(parseAccessRules(rootOfC))).toEqual([SID.authenticatedUsers]);
  });

  test("a restricted Program Files folder passes; read-only users do not count as writers", () => {
    const restricted = [
      "S-1-5-18|2032127|Allow",
      "S-1-5-32-544|2032127|Allow",
      `${SID.trustedInstaller}|268435456|Allow`,
      "S-1-5-32-545|1179817|Allow",
      "S-1-5-11|1245631|Deny",
    ].join("\n");
    expect(untrustedWriters(parseAccessRules(restricted))).toEqual([]);
  });

  test("the ACL is read through PowerShell with the path quoted literally", () => {
    const argv = windowsAclCommand("C:\\Program Files\\O'Brien\\.env");
    expect(argv[0]).toBe("powershell.exe");
    expect(argv.at(-1)).toContain("-LiteralPath 'C:\\Program Files\\O''Brien\\.env'");
    expect(argv.at(-1)).toContain("SecurityIdentifier");
  });
});

describe("Linux permissions", () => {
  test("a file others can write is unsafe for a root service; 0600 and 0755 are fine", () => {
    const file = join(dir, "agent");
    writeFileSync(file, "x");
    chmodSync(file, 0o755);
    expect(linuxUnsafe(file)).toBeNull();
    chmodSync(file, 0o600);
    expect(linuxUnsafe(file)).toBeNull();
    chmodSync(file, 0o666);
    expect(linuxUnsafe(file)).toContain("mode 666");
    chmodSync(file, 0o775);
    expect(linuxUnsafe(file)).toContain("chmod go-w");
  });
});
