import { beforeAll, describe, expect, test } from "bun:test";
import { COMMANDS, parseCommandLine } from "./args.ts";
import { startRequestFromFlags, UsageError } from "./sync.ts";
import { setCliLang } from "../i18n/i18n.ts";

// These tests read the CLI's English messages.
beforeAll(() => setCliLang("en"));

describe("command line", () => {
  test("no arguments and --help print the command list", () => {
    for (const argv of [[], ["--help"], ["-h"], ["help"]]) {
      const parsed = parseCommandLine(argv);
      expect(parsed.kind).toBe("help");
      if (parsed.kind === "help") {
        for (const c of COMMANDS) expect(parsed.text).toContain(`  ${c.name}`);
      }
    }
  });

  test("every command has --help listing its options", () => {
    for (const spec of COMMANDS) {
      const parsed = parseCommandLine([spec.name, "--help"]);
      expect(parsed.kind).toBe("help");
      if (parsed.kind !== "help") continue;
      expect(parsed.text).toContain(`Usage: ${spec.usage}`);
      for (const option of Object.keys(spec.options)) expect(parsed.text).toContain(`--${option}`);
    }
    expect(parseCommandLine(["help", "doctor"])).toMatchObject({ kind: "help" });
  });

  test("parses sync's source and flags", () => {
    expect(
      parseCommandLine([
        "sync",
        "ferrawin",
        "--mode",
        "year",
        "-y",
        "2025",
        "--from-code",
        "2025-40",
      ]),
    )
      .toEqual({
        kind: "command",
        command: "sync",
        values: { mode: "year", year: "2025", "from-code": "2025-40" },
        positionals: ["ferrawin"],
      });
  });

  test("unknown commands, unknown flags and missing arguments are usage errors with help", () => {
    expect(parseCommandLine(["launch"])).toMatchObject({
      kind: "usage-error",
      message: 'unknown command "launch"',
    });
    const flag = parseCommandLine(["status", "--colour"]);
    expect(flag.kind).toBe("usage-error");
    if (flag.kind === "usage-error") {
      expect(flag.message).toContain("--colour");
      expect(flag.text).toContain("Usage: puente-agent status");
    }
    expect(parseCommandLine(["sync"])).toMatchObject({
      kind: "usage-error",
      message: "missing argument",
    });
    expect(parseCommandLine(["version", "extra"])).toMatchObject({ kind: "usage-error" });
    expect(parseCommandLine(["--version"])).toMatchObject({ kind: "command", command: "version" });
  });

  test("in Spanish, a typo is named in Spanish too, and --lang is no command's option", () => {
    setCliLang("es");
    try {
      expect(parseCommandLine(["status", "--colour"])).toMatchObject({
        kind: "usage-error",
        message: "opción desconocida --colour",
      });
      expect(parseCommandLine(["doctor", "-z"])).toMatchObject({
        message: "opción desconocida -z",
      });
      expect(parseCommandLine(["sync"])).toMatchObject({ message: "falta un argumento" });
      expect(parseCommandLine(["status", "--json", "--lang", "es"])).toMatchObject({
        kind: "command",
        values: { json: true },
      });
      const help = parseCommandLine(["status", "--help"]);
      expect(help.kind === "help" && help.text).toContain("Uso: puente-agent status [--json]");
    } finally {
      setCliLang("en");
    }
  });
});

describe("sync flags", () => {
  test("FerraWin defaults to incremental; --code implies one and is normalised", () => {
    expect(startRequestFromFlags("ferrawin", {})).toEqual({
      source: "ferrawin",
      params: { mode: "incremental" },
    });
    expect(startRequestFromFlags("ferrawin", { code: "2026-886" })).toEqual({
      source: "ferrawin",
      params: { mode: "one", code: "2026-000886" },
    });
    expect(
      startRequestFromFlags("ferrawin", { mode: "year", year: "2024", "from-code": "2024-12" }),
    )
      .toEqual({
        source: "ferrawin",
        params: { mode: "year", year: 2024, fromCode: "2024-000012" },
      });
    expect(startRequestFromFlags("wispro", {})).toEqual({
      source: "wispro",
      params: { mode: "full" },
    });
  });

  test("wrong combinations say what is missing", () => {
    expect(() => startRequestFromFlags("ferrawin", { mode: "year" })).toThrow(
      "--mode year needs --year",
    );
    expect(() => startRequestFromFlags("ferrawin", { mode: "one" })).toThrow(
      "--mode one needs --code",
    );
    expect(() => startRequestFromFlags("ferrawin", { mode: "all", year: "2024" })).toThrow(
      "--year only applies to --mode year",
    );
    expect(() => startRequestFromFlags("ferrawin", { mode: "weekly" })).toThrow(
      "mode must be one of",
    );
    expect(() => startRequestFromFlags("ferrawin", { code: "886" })).toThrow(
      "invalid planilla code",
    );
    expect(() => startRequestFromFlags("sap", {})).toThrow(UsageError);
  });
});
