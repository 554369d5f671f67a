// `npm run build:agent`'s output, tested as an office gets it: the Windows executable's version info and
// icon, read back from the PE file; and the Linux executable, run from a folder holding a .env and a
// bunfig.toml, as the scheduled task runs it (its working directory is the executable's folder): the
// .env is read by the agent itself, verbatim, and Bun's own autoload of either file is off; and
// `upgrade`, run from the installed executable, replacing itself.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { readWindowsIdentity } from "./build/pe-resources.ts";
import { WINDOWS_IDENTITY } from "./build.ts";
import { AGENT_VERSION } from "./src/version.ts";

const dist = mkdtempSync(join(tmpdir(), "puente-build-test-"));
const bun = process.execPath;

beforeAll(() => {
  const build = Bun.spawnSync(
    [bun, join(import.meta.dir, "build.ts"), "--out-dir", dist, "--no-smoke"],
    { stdout: "pipe", stderr: "pipe" },
  );
  if (build.exitCode !== 0) {
    throw new Error(`build failed:\n${build.stdout.toString()}\n${build.stderr.toString()}`);
  }
}, 600_000);
afterAll(() => rmSync(dist, { recursive: true, force: true }));

describe("npm run build:agent", () => {
  test("the Windows executable's version info names Puente, with its version and an icon", () => {
    const exe = new Uint8Array(readFileSync(join(dist, "puente-agent-windows-x64.exe")));
    const identity = readWindowsIdentity(exe);
    expect(identity.strings.ProductName).toBe("Puente Agent");
    expect(identity.strings.CompanyName).toBe("Puente");
    expect(identity.strings.FileDescription).toBe(WINDOWS_IDENTITY.fileDescription);
    expect(identity.fileVersion).toBe(`${AGENT_VERSION}.0`);
    expect(identity.strings.FileVersion).toBe(`${AGENT_VERSION}.0`);
    expect(identity.icons).toBe(1);
    expect(JSON.stringify(identity.strings)).not.toContain("Bun");
  });

  test(
    "a secret with `$` in the .env next to the executable arrives intact; bunfig.toml is ignored",
    async () => {
      const folder = mkdtempSync(join(tmpdir(), "puente-dollar-"));
      const binary = join(folder, "puente-agent-linux-x64");
      copyFileSync(join(dist, "puente-agent-linux-x64"), binary);
      const seen: string[] = [];
      const api = Bun.serve({
        port: 0,
        hostname: "127.0.0.1",
        fetch(request) {
          seen.push(request.headers.get("authorization") ?? "");
          return Response.json({ error: { code: "unauthorized", message: "no" } }, { status: 401 });
        },
      });
      try {
        const key = "pk_$HOME$2024_live_7f3a9c1e5b";
        writeFileSync(
          join(folder, ".env"),
          [
            `PUENTE_API_URL=http://127.0.0.1:${api.port}/functions/v1/sync`,
            `PUENTE_AGENT_KEY="${key}"`,
            'FERRAWIN_USERNAME="lector$2024"',
            "FERRAWIN_DATABASE=FERRA${USER}WIN",
            "",
          ].join("\n"),
        );
        // If Bun loaded bunfig.toml, this preload would write the marker before the agent starts.
        writeFileSync(join(folder, "bunfig.toml"), 'preload = ["./preload.ts"]\n');
        writeFileSync(
          join(folder, "preload.ts"),
          'require("fs").writeFileSync("loaded-bunfig", "");\n',
        );
        const env = { PATH: process.env.PATH ?? "", HOME: folder, USER: "srv" };

        const config = Bun.spawnSync([binary, "config", "--json"], { cwd: folder, env });
        expect(config.stderr.toString()).toBe("");
        const variables = Object.fromEntries(
          (JSON.parse(config.stdout.toString()).variables as {
            name: string;
            value: string;
            source: string;
          }[])
            .map((v) => [v.name, v]),
        );
        expect(variables.FERRAWIN_USERNAME).toEqual({
          name: "FERRAWIN_USERNAME",
          value: "lector$2024",
          source: ".env",
        });
        expect(variables.FERRAWIN_DATABASE!.value).toBe("FERRA${USER}WIN");

        // doctor sends the key to the API: the exact bytes of the .env, not an expanded copy.
        const doctor = Bun.spawn([binary, "doctor", "--timeout", "5"], {
          cwd: folder,
          env,
          stdout: "pipe",
          stderr: "pipe",
        });
        await doctor.exited;
        expect(seen.length).toBeGreaterThan(0);
        expect(new Set(seen)).toEqual(new Set([`Bearer ${key}`]));
        expect(existsSync(join(folder, "loaded-bunfig"))).toBe(false);
      } finally {
        api.stop(true);
        rmSync(folder, { recursive: true, force: true });
      }
    },
    60_000,
  );

  test("`puente-agent upgrade <new>` run from the installed executable replaces it", () => {
    const folder = mkdtempSync(join(tmpdir(), "puente-upgrade-bin-"));
    try {
      const installed = join(folder, "puente-agent-linux-x64");
      const source = join(folder, "download", "puente-agent-linux-x64");
      copyFileSync(join(dist, "puente-agent-linux-x64"), installed);
      mkdirSync(dirname(source));
      copyFileSync(join(dist, "puente-agent-linux-x64"), source);
      // The assertions read the CLI's English messages.
      const env = { PATH: process.env.PATH ?? "", HOME: folder, PUENTE_LANG: "en" };
      // Not a puente-agent: refused, nothing changed.
      writeFileSync(join(folder, "other"), "#!/bin/sh\necho hello\n", { mode: 0o755 });
      const refused = Bun.spawnSync([installed, "upgrade", join(folder, "other"), "--no-service"], {
        cwd: folder,
        env,
        stderr: "pipe",
      });
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr.toString()).toContain("nothing was changed");
      expect(existsSync(`${installed}.old`)).toBe(false);

      const upgrade = Bun.spawnSync([installed, "upgrade", source, "--no-service"], {
        cwd: folder,
        env,
        stdout: "pipe",
        stderr: "pipe",
      });
      expect({ code: upgrade.exitCode, err: upgrade.stderr.toString() }).toEqual({
        code: 0,
        err: "",
      });
      expect(upgrade.stdout.toString()).toContain(`upgraded to puente-agent ${AGENT_VERSION}`);
      expect(existsSync(`${installed}.old`)).toBe(true);
      const version = Bun.spawnSync([installed, "version"], { env, stdout: "pipe" });
      expect(version.stdout.toString()).toStartWith(`puente-agent ${AGENT_VERSION}`);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
