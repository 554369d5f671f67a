// Who may change what the service runs. The service runs as SYSTEM (Windows) or root (Linux), so anyone
// who can write its executable or its .env can run code as that account or read its secrets. On
// Windows, `init` and `service install` take the install folder and the .env off inherited permissions
// (a folder made at the root of C: gives Authenticated Users Modify) and grant SYSTEM and
// Administrators only; then `service install` reads the permissions back, by SID so that a Spanish or
// German Windows reads the same, and refuses to install if anyone else can still write either file.
import { statSync } from "node:fs";

export const SID = {
  system: "S-1-5-18",
  administrators: "S-1-5-32-544",
  trustedInstaller: "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464",
  authenticatedUsers: "S-1-5-11",
  users: "S-1-5-32-545",
  everyone: "S-1-1-0",
} as const;

/** Accounts that may write what a SYSTEM service runs: they can become SYSTEM anyway. */
const TRUSTED = new Set<string>([SID.system, SID.administrators, SID.trustedInstaller]);

/**
 * icacls command lines that leave `folder` (and everything in it) to SYSTEM and Administrators:
 * inheritance off without copying, full control for both, and the broad groups removed.
 */
export function windowsRestrictCommands(folder: string): string[][] {
  return [
    ["icacls.exe", folder, "/inheritance:r", "/Q"],
    [
      "icacls.exe",
      folder,
      "/grant:r",
      `*${SID.system}:(OI)(CI)F`,
      `*${SID.administrators}:(OI)(CI)F`,
      "/Q",
    ],
    [
      "icacls.exe",
      folder,
      "/remove:g",
      `*${SID.authenticatedUsers}`,
      `*${SID.users}`,
      `*${SID.everyone}`,
      "/T",
      "/C",
      "/Q",
    ],
    // Files already in the folder pick up the folder's new permissions.
    ["icacls.exe", `${folder}\\*`, "/reset", "/T", "/C", "/Q"],
  ];
}

/** A PowerShell command printing one `SID|rights|Allow/Deny` line per access rule of `path`. */
export function windowsAclCommand(path: string): string[] {
  const literal = path.replace(/'/g, "''");
  return [
    "powershell.exe",
    "-NoProfile",
    "-NonInteractive",
    "-Command",
    `(Get-Acl -LiteralPath '${literal}').Access | ForEach-Object { ` +
    `$_.IdentityReference.Translate([System.Security.Principal.SecurityIdentifier]).Value + '|' + ` +
    `[int]$_.FileSystemRights + '|' + $_.AccessControlType }`,
  ];
}

export interface AccessRule {
  sid: string;
  /** FileSystemRights as a number (so it reads the same in every language). */
  rights: number;
  isAllow: boolean;
}

export function parseAccessRules(text: string): AccessRule[] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean).map((line) => {
    const [sid = "", rights = "0", type = ""] = line.split("|");
    return { sid, rights: Number(rights) >>> 0, isAllow: type.trim() === "Allow" };
  });
}

/**
 * Rights that let an account change a file or what it runs: write or append data, write attributes,
 * delete, change permissions, take ownership (FileSystemRights bits), and GENERIC_ALL / GENERIC_WRITE
 * (what inherit-only rules carry).
 */
const WRITE_RIGHTS = 0x2 | 0x4 | 0x100 | 0x10000 | 0x40000 | 0x80000 | 0x10000000 | 0x40000000;

/** The SIDs other than SYSTEM, Administrators and TrustedInstaller that may write. */
export function untrustedWriters(rules: AccessRule[]): string[] {
  const writers = rules.filter((r) =>
    r.isAllow && !TRUSTED.has(r.sid) && (r.rights & WRITE_RIGHTS)
  );
  return [...new Set(writers.map((r) => r.sid))];
}

/** Linux: why `path` is unsafe for a root service to run or read (writable by group or others). */
export function linuxUnsafe(path: string): string | null {
  const mode = statSync(path).mode;
  if (mode & 0o022) {
    return `${path} can be changed by users other than its owner (mode ${
      (mode & 0o777).toString(8)
    }): chmod go-w "${path}"`;
  }
  return null;
}
