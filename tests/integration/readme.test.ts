// The README stays true (issue #10): every fenced shell block carries a tag that says how it is checked,
// and the runnable ones are run here exactly as written from the repository root; every `npm run X` it
// names exists; and its configuration sections name exactly the variables the agent and the edge read.
// The tags are explained once near the top of the README.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentEnv, type ReadyInfo } from "../../devstack/src/stack.ts";
import { ReadyProcess, REPO_ROOT } from "../demo/ready-process.ts";
import { runToEnd } from "./support.ts";

const README = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

/** Languages whose blocks hold commands a person types. */
const SHELL_LANGUAGES = [
  "sh",
  "bash",
  "shell",
  "zsh",
  "console",
  "powershell",
  "pwsh",
  "ps1",
  "cmd",
];
/** How a shell block is checked; README.md explains each next to "The two commands". */
const TAGS = {
  runnable: "run as written; must exit 0",
  "runnable-until-ready": "run until its ready line, then Ctrl-C; must stop cleanly",
  "runnable-with-devstack": "run as written with the agent's settings from a running devstack",
  ci: "not run here: this is what CI itself runs (.ci/run), and a test cannot re-run its own suite",
  cloud: "not run here: needs real Supabase, Pusher or Windows accounts",
} as const;
type Tag = keyof typeof TAGS;

/** Lines the tests must not run, with the reason printed when one is skipped. */
const NEVER_RUN: [RegExp, string][] = [
  [
    /^npm install\b[^&]*(&&\s*|$)/,
    "this test runs inside an installed checkout; CI runs `npm install`",
  ],
];

interface Block {
  line: number;
  language: string;
  tag: string | undefined;
  commands: string[];
}

function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let open: Block | null = null;
  markdown.split("\n").forEach((text, index) => {
    const fence = /^\s*```(.*)$/.exec(text);
    if (!open && fence) {
      const [language = "", tag] = fence[1]!.trim().split(/\s+/);
      open = { line: index + 1, language, tag, commands: [] };
    } else if (open && fence && fence[1]!.trim() === "") {
      blocks.push(open);
      open = null;
    } else if (open) {
      const command = text.trim();
      if (command && !command.startsWith("#")) open.commands.push(command);
    }
  });
  if (open) {
    throw new Error(`README.md: the block opened on line ${(open as Block).line} never closes`);
  }
  return blocks;
}

const blocks = fencedBlocks(README);
const shellBlocks = blocks.filter((b) => SHELL_LANGUAGES.includes(b.language));
const step = (line: string) => console.log(`readme test: ${line}`);

/** The environment a person has in their terminal: not the test runner's NODE_ENV=test. */
function userEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, ...extra };
  delete env.NODE_ENV;
  return env;
}

/** The line as it must run here: `npm install && X` becomes `X` (printed); null when nothing is left. */
function runnablePart(command: string): string | null {
  let rest = command;
  for (const [pattern, reason] of NEVER_RUN) {
    const match = pattern.exec(rest);
    if (match) {
      step(`skipping \`${match[0].replace(/\s*&&\s*$/, "")}\` in \`${command}\`: ${reason}`);
      rest = rest.slice(match[0].length).trim();
    }
  }
  return rest || null;
}

async function runToCompletion(command: string, env = userEnv(), timeoutMs = 180_000) {
  const started = Date.now();
  const run = new ReadyProcess(command, env);
  const { code, signal } = await run.finished(timeoutMs);
  step(`\`${command}\` exited ${code ?? signal} in ${Date.now() - started} ms`);
  expect({ command, code, output: code === 0 ? "" : run.tail(30) }).toEqual({
    command,
    code: 0,
    output: "",
  });
}

async function runUntilReady(command: string, env = userEnv()) {
  const started = Date.now();
  const run = new ReadyProcess(command, env);
  try {
    await run.ready(150_000);
    step(`\`${command}\` ready in ${Date.now() - started} ms; pressing Ctrl-C`);
    const stopped = await run.interrupt();
    step(
      `\`${command}\` stopped: ${stopped.code ?? stopped.signal} after ${stopped.exitMs} ms; ` +
        `ports checked ${stopped.ports.join(",")}; leftovers ${stopped.leftovers.length}`,
    );
    // Through npm, Ctrl-C ends in 130 whatever the program does (npm's `sh -c` dies of the SIGINT the
    // terminal sends the whole group); what matters is that everything it started is gone.
    const interrupted = stopped.code === 0 || stopped.code === 130 || stopped.signal === "SIGINT";
    expect({ command, interrupted, leftovers: stopped.leftovers, busy: stopped.busyPorts })
      .toEqual({ command, interrupted: true, leftovers: [], busy: [] });
    expect(stopped.ports.length).toBeGreaterThan(0);
  } finally {
    run.kill();
  }
}

describe("README.md shell blocks", () => {
  test("every fenced block names its language, and every shell block has a known tag", () => {
    const untagged = blocks.filter((b) => b.language === "").map((b) => `line ${b.line}`);
    expect(untagged).toEqual([]);
    const badTags = shellBlocks.filter((b) => !(b.tag && b.tag in TAGS))
      .map((b) => `line ${b.line}: \`${b.language} ${b.tag ?? ""}\``);
    expect(badTags).toEqual([]);
    expect(shellBlocks.filter((b) => b.tag?.startsWith("runnable")).length).toBeGreaterThan(0);
  });

  for (const block of shellBlocks) {
    const tag = block.tag as Tag;
    const name = `line ${block.line} (${block.language} ${tag}): ${block.commands.join(" ; ")}`;
    if (!(tag in TAGS)) continue; // reported by the tag test above
    if (tag === "ci" || tag === "cloud") {
      // Not run here (see TAGS); instead every command in the block must exist exactly as written.
      test(`${name} — ${TAGS[tag]}; checked to exist as written`, async () => {
        for (const command of block.commands) {
          if (tag === "ci") expectCiRuns(command);
          else await expectCloudCommandExists(command);
        }
      }, 60_000);
      continue;
    }
    test(name, async () => {
      if (tag === "runnable-with-devstack") {
        const devstack = new ReadyProcess(
          "npm run devstack -- up --json --planillas 50",
          userEnv(),
        );
        const home = mkdtempSync(join(tmpdir(), "puente-readme-agent-"));
        try {
          const info = (await devstack.ready(150_000)) as unknown as ReadyInfo;
          step(`devstack ready for line ${block.line}: ${info.functionsUrl}`);
          const env = userEnv({
            ...agentEnv(info),
            PUENTE_LOG_DIR: join(home, "logs"),
            PUENTE_STATE_DIR: join(home, "state"),
          });
          for (const command of block.commands) {
            const part = runnablePart(command);
            if (part) await runToCompletion(part, env);
          }
          const stopped = await devstack.interrupt();
          expect({ leftovers: stopped.leftovers, busy: stopped.busyPorts }).toEqual({
            leftovers: [],
            busy: [],
          });
        } finally {
          devstack.kill();
          rmSync(home, { recursive: true, force: true });
        }
        return;
      }
      for (const command of block.commands) {
        const part = runnablePart(command);
        if (!part) continue;
        if (tag === "runnable-until-ready") await runUntilReady(part);
        else await runToCompletion(part);
      }
    }, 300_000);
  }
});

/** Drops a trailing `# comment`. */
const withoutComment = (command: string) => command.replace(/\s+#.*$/, "").trim();

/** A `ci` line: each `&&` part is a command `.ci/run` runs (it may add flags). */
function expectCiRuns(command: string) {
  const ciLines = readFileSync(join(REPO_ROOT, ".ci/run"), "utf8").split("\n").map((l) => l.trim());
  const parts = withoutComment(command).split(/\s*&&\s*/);
  const missing = parts.filter((part) =>
    !ciLines.some((l) => l === part || l.startsWith(`${part} `))
  );
  step(`\`${command}\`: ${parts.join(", ")} found in .ci/run`);
  expect({ command, missing }).toEqual({ command, missing: [] });
}

/** The words of a command line up to its first flag or placeholder: `secrets set A=1` → secrets set. */
const subcommandOf = (words: string[]) => {
  const end = words.findIndex((w) => /^[-<]|=/.test(w));
  return end < 0 ? words : words.slice(0, end);
};

/**
 * A `cloud` line cannot run without real accounts, but what it names must exist: a Supabase CLI
 * subcommand (its help names it), secrets the edge function reads, or an agent command (its help
 * exits 0). An unknown program fails, so the README cannot grow commands nobody checks.
 */
async function expectCloudCommandExists(command: string) {
  const words = withoutComment(command).split(/\s+/);
  const run = async (cmd: string[]) => {
    const { out, err, code } = await runToEnd({ cmd, cwd: REPO_ROOT, env: userEnv() });
    return { code, output: out + err };
  };
  if (words[0] === "npx" && words[1] === "supabase") {
    // The longest leading words that the CLI's help names as a command; the rest are arguments
    // (`functions deploy sync`: `sync` is the function). An unknown first word matches nothing.
    let sub = subcommandOf(words.slice(2));
    while (sub.length > 0) {
      const help = await run([join(REPO_ROOT, "node_modules/.bin/supabase"), ...sub, "--help"]);
      if (help.output.includes(`supabase ${sub.join(" ")} `)) break;
      sub = sub.slice(0, -1);
    }
    expect({ command, known: sub.length > 0 }).toEqual({ command, known: true });
    if (sub.join(" ") === "secrets set") {
      const edgeReads = schemaKeys("edge/_shared/env.ts", "RawEnv");
      const unknown = words.filter((w) => w.includes("=")).map((w) => w.split("=")[0]!)
        .filter((name) => !edgeReads.includes(name));
      expect({ command, unknown }).toEqual({ command, unknown: [] });
    }
    step(`\`${command}\`: \`supabase ${sub.join(" ")}\` exists`);
    return;
  }
  if (/^\.[\\/]puente-agent-(linux-x64|windows-x64\.exe)$/.test(words[0]!)) {
    const sub = subcommandOf(words.slice(1));
    const help = await run([process.execPath, "agent/src/main.ts", ...sub, "--help"]);
    expect({ command, code: help.code }).toEqual({ command, code: 0 });
    step(`\`${command}\`: \`puente-agent ${sub.join(" ")}\` exists`);
    return;
  }
  throw new Error(
    `README.md: the cloud command \`${command}\` is not one this test knows to check`,
  );
}

/** `npm run <script>` and `npm run <script> -w <workspace>` anywhere in the README. */
function npmScriptsNamed(markdown: string): { script: string; workspace: string | null }[] {
  const found = new Map<string, { script: string; workspace: string | null }>();
  for (
    const match of markdown.matchAll(/npm run ([\w:.-]+)(?:\s+(?:-w|--workspace)[ =]([\w@/.-]+))?/g)
  ) {
    const named = { script: match[1]!, workspace: match[2] ?? null };
    found.set(`${named.workspace ?? ""}/${named.script}`, named);
  }
  return [...found.values()];
}

/** Top-level keys of `const <name> = z.object({ … })` in a source file: the variables a program reads. */
function schemaKeys(file: string, name: string): string[] {
  const source = readFileSync(join(REPO_ROOT, file), "utf8");
  const start = source.indexOf(`const ${name} = z.object({`);
  if (start < 0) throw new Error(`${file}: no \`const ${name} = z.object({\``);
  const body = source.slice(start, source.indexOf("\n});", start));
  return [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!).sort();
}

/** Environment variable names written in backticks between `<!-- env:<section>:start … -->` and `…:end -->`. */
function readmeVariables(section: string): string[] {
  const start = README.indexOf(`<!-- env:${section}:start`);
  const end = README.indexOf(`<!-- env:${section}:end -->`);
  if (start < 0 || end < start) throw new Error(`README.md: no env:${section} section markers`);
  const names = [...README.slice(start, end).matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)];
  return [...new Set(names.map((m) => m[1]!))].sort();
}

describe("README.md names only what exists", () => {
  test("every `npm run <script>` it mentions is a script in package.json (or the workspace's)", () => {
    const named = npmScriptsNamed(README);
    const missing = named.filter(({ script, workspace }) => {
      const manifest = JSON.parse(
        readFileSync(join(REPO_ROOT, workspace ?? "", "package.json"), "utf8"),
      ) as { scripts?: Record<string, string> };
      return !manifest.scripts?.[script];
    });
    step(`npm scripts named in the README: ${named.map((n) => n.script).join(", ")}`);
    expect(named.length).toBeGreaterThan(5);
    expect(missing).toEqual([]);
  });

  test("the agent's variables in the README are exactly those agent/src/config.ts reads", () => {
    expect(readmeVariables("agent")).toEqual(schemaKeys("agent/src/config.ts", "EnvSchema"));
  });

  test("the edge function's variables in the README are exactly those edge/_shared/env.ts reads", () => {
    expect(readmeVariables("edge")).toEqual(schemaKeys("edge/_shared/env.ts", "RawEnv"));
  });
});
