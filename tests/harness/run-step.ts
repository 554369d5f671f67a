// Runs one step as a child process, streaming its output while keeping it for counting, with a time limit.
import type { Step, Tally } from "./suites.ts";
import { root } from "./suites.ts";

export interface StepResult extends Tally {
  name: string;
  note?: string;
  seconds: number;
}

const RUST_ENV = { RUST_BACKTRACE: "0", NO_COLOR: "1", FORCE_COLOR: "0" };

export async function runStep(step: Step): Promise<StepResult> {
  const started = performance.now();
  const seconds = () => Math.round((performance.now() - started) / 100) / 10;
  const missing = step.missing?.();
  if (missing) {
    console.error(`\n✘ ${step.name}: cannot run: ${missing}`);
    return { name: step.name, passed: 0, failed: 1, skipped: 0, note: missing, seconds: seconds() };
  }
  const cmd = step.command();
  if (!cmd) {
    // Every suite has files; one that finds none lost them, and that must not read as a pass.
    const note = "no test files found";
    console.error(`\n✘ ${step.name}: ${note}`);
    return { name: step.name, passed: 0, failed: 1, skipped: 0, note, seconds: seconds() };
  }
  console.log(`\n▶ ${step.name}: ${cmd.map((c) => c.replace(`${root}/`, "")).join(" ")}`);
  const child = Bun.spawn({
    cmd,
    cwd: root,
    env: { ...process.env, ...RUST_ENV },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let output = "";
  const pump = async (stream: ReadableStream<Uint8Array>, sink: NodeJS.WriteStream) => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      const chunk = next.value;
      const text = decoder.decode(chunk, { stream: true });
      sink.write(text);
      output += text;
      if (output.length > 4_000_000) output = output.slice(-2_000_000);
    }
  };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
  }, step.timeoutS * 1000);
  await Promise.all([pump(child.stdout, process.stdout), pump(child.stderr, process.stderr)]);
  const exitCode = await child.exited;
  clearTimeout(timer);
  const tally = step.parse(output, timedOut ? 124 : exitCode);
  if (timedOut) {
    console.error(`✘ ${step.name}: timed out after ${step.timeoutS} s`);
    tally.failed = Math.max(tally.failed, 1);
  }
  return { name: step.name, ...tally, seconds: seconds() };
}

export function summaryLine(results: Tally[]): string {
  const sum = (k: keyof Tally) => results.reduce((n, r) => n + r[k], 0);
  const skipped = sum("skipped");
  return `${sum("passed")} passed, ${sum("failed")} failed${skipped ? `, ${skipped} skipped` : ""}`;
}
