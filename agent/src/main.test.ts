import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inheritedEnv } from "../../devstack/src/agent-process.ts";

const main = join(import.meta.dir, "main.ts");
const cwd = mkdtempSync(join(tmpdir(), "puente-main-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

/** The CLI in English (these tests read its English messages). */
function cli(...args: string[]) {
  return cliWith({ PUENTE_LANG: "en" }, ...args);
}

/** The CLI with only `extra` choosing its language: no LANG or LC_* from the test runner. */
function cliWith(extra: Record<string, string>, ...args: string[]) {
  const env = inheritedEnv({ HOME: cwd, ...extra });
  for (const name of ["LANG", "LC_ALL", "LC_MESSAGES"]) if (!(name in extra)) delete env[name];
  const result = Bun.spawnSync([process.execPath, main, ...args], { cwd, env });
  return { code: result.exitCode, out: result.stdout.toString(), err: result.stderr.toString() };
}

describe("puente-agent CLI", () => {
  test("version and --help", () => {
    expect(cli("version").out).toMatch(/^puente-agent \d+\.\d+\.\d+ \(protocol v1/);
    const help = cli("--help");
    expect(help.code).toBe(0);
    expect(help.out).toContain("Usage: puente-agent <command>");
    expect(cli("service", "--help").out).toContain("--print");
  });

  test("usage errors exit 2 with help", () => {
    const result = cli("frobnicate");
    expect(result.code).toBe(2);
    expect(result.err).toContain('unknown command "frobnicate"');
    const sync = cli("sync", "ferrawin", "--mode", "year");
    expect(sync.code).toBe(2);
    expect(sync.err).toContain("--mode year needs --year");
  });

  test("a command that needs configuration names the missing variables", () => {
    const result = cli("status");
    expect(result.code).toBe(1);
    expect(result.err).toContain("PUENTE_API_URL is required");
    expect(result.err).toContain("PUENTE_AGENT_KEY is required");
  });

  test("service install --print shows the unit without installing", () => {
    const result = cli("service", "install", "--print", "--platform", "linux", "--user", "puente");
    expect(result.code).toBe(0);
    expect(result.out).toContain("# /etc/systemd/system/puente-agent.service");
    expect(result.out).toContain(`ExecStart=${process.execPath} ${main} run`);
    expect(result.out).toContain("$ systemctl enable --now puente-agent.service");
    const windows = cli("service", "install", "--print", "--platform", "windows");
    expect(windows.out).toContain("<RestartOnFailure>");
    expect(windows.out).toContain('> schtasks.exe /Create /TN "Puente Agent" /XML task.xml /F');
  });

  test("init writes a .env that status then reads", () => {
    const env = join(cwd, "agent.env");
    const init = cli(
      "init",
      "--yes",
      "--output",
      env,
      "--api-url",
      "http://127.0.0.1:9/functions/v1/sync",
      "--agent-key",
      "pk_cli_test_0123456789abcdef",
    );
    expect(init.code).toBe(0);
    const status = cli("status", "--env-file", env, "--json");
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out).config.API).toBe("http://127.0.0.1:9/functions/v1/sync");
    expect(status.out).not.toContain("pk_cli_test_0123456789abcdef");
  });

  test("init --stdin takes secrets from standard input, verbatim, non-ASCII included", async () => {
    const output = join(cwd, "stdin.env");
    const child = Bun.spawn([
      process.execPath,
      main,
      "init",
      "--stdin",
      "--output",
      output,
      "--api-url",
      "http://127.0.0.1:1/functions/v1/sync",
    ], { cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd }, stdin: "pipe", stdout: "pipe" });
    child.stdin.write(
      "PUENTE_AGENT_KEY=pk_live_$HOME_0123456789\nFERRAWIN_HOST=srv\n" +
        'FERRAWIN_USERNAME=lector\nFERRAWIN_PASSWORD="Contraseña$2024"\n',
    );
    child.stdin.end();
    expect(await child.exited).toBe(0);
    const config = cli("config", "--env-file", output, "--json");
    const variables = Object.fromEntries(
      (JSON.parse(config.out).variables as { name: string; value: string }[]).map((v) => [
        v.name,
        v.value,
      ]),
    );
    expect(variables.FERRAWIN_HOST).toBe("srv");
    // Secrets are masked by config: check the file itself.
    const text = await Bun.file(output).text();
    expect(text).toContain('FERRAWIN_PASSWORD="Contraseña$2024"');
    expect(text).toContain("pk_live_$HOME_0123456789");
  });

  test("speaks Spanish by default, English with --lang en; the flag wins over PUENTE_LANG", () => {
    // How the language is chosen from PUENTE_LANG and the locale is unit-tested in i18n.test.ts.
    const spanish = cliWith({}, "--help");
    expect(spanish.code).toBe(0);
    expect(spanish.out).toContain("Uso: puente-agent <command> [options]");
    expect(spanish.out).toContain("sincroniza FerraWin y Wispro");
    expect(cliWith({}, "status", "--help", "--lang=en").out).toContain("Options:");
    // A missing variable is named in Spanish; the variable's own problem stays as the log has it.
    const status = cliWith({ PUENTE_LANG: "en" }, "status", "--lang", "es");
    expect(status.code).toBe(1);
    expect(status.err).toContain("la configuración del agente no es válida");
    expect(status.err).toContain("PUENTE_API_URL is required");
    const unknown = cliWith({}, "--lang", "fr", "status");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('idioma desconocido "fr"');
  }, 30_000);
});
