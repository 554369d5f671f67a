// CPU seconds per process tree, read from /proc: on a shared 2-core machine the CPU each stage burns is
// the honest answer to "where does the time go", since every stage competes for the same two cores.
// Also a process's memory (VmRSS, VmHWM), which the agent and e2e benchmarks sample while it runs.
import { readdirSync, readFileSync } from "node:fs";

/** Linux's USER_HZ: /proc reports utime and stime in these ticks. */
const TICKS_PER_S = 100;

export interface ProcessCpu {
  pid: number;
  ppid: number;
  name: string;
  /** utime + stime, seconds. */
  cpuS: number;
}

/** One process's name, parent and CPU time from /proc/<pid>/stat, or null once it has gone. */
export function readStat(pid: number): ProcessCpu | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The name is in parentheses and may contain spaces: split after its closing parenthesis.
  const close = text.lastIndexOf(")");
  const name = text.slice(text.indexOf("(") + 1, close);
  const fields = text.slice(close + 2).split(" ");
  // fields[0] is state (field 3): ppid is field 4, utime field 14, stime field 15.
  return {
    pid,
    ppid: Number(fields[1]),
    name,
    cpuS: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S,
  };
}

/** Every process visible in /proc, by pid. */
export function readProcesses(): Map<number, ProcessCpu> {
  const all = new Map<number, ProcessCpu>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) all.set(stat.pid, stat);
  }
  return all;
}

/** The pids of `root` and all its descendants. */
export function processTree(processes: Map<number, ProcessCpu>, root: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of processes.values()) {
    children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  }
  const tree: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    if (!processes.has(pid)) continue;
    tree.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** CPU seconds of the given pids in `after` minus what they had in `before` (0 if new). */
export function cpuBetween(
  before: Map<number, ProcessCpu>,
  after: Map<number, ProcessCpu>,
  pids: Iterable<number>,
): number {
  let total = 0;
  for (const pid of pids) {
    const end = after.get(pid);
    if (!end) continue;
    total += end.cpuS - (before.get(pid)?.cpuS ?? 0);
  }
  return total;
}

/** kB values of one process's /proc status lines (VmRSS, VmHWM), or null once it has ended. */
export function memoryOf(pid: number): { rssKb: number; hwmKb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
    const memory = { rssKb: kb("VmRSS"), hwmKb: kb("VmHWM") };
    // A process that has exited but is not yet reaped has a status without memory lines.
    return Number.isFinite(memory.rssKb) && Number.isFinite(memory.hwmKb) ? memory : null;
  } catch {
    return null;
  }
}

/**
 * Samples `pid`'s memory every `everyMs` until `stop()`, which returns the peak seen (VmHWM only grows:
 * the last sample before the process ends is its peak, to within one tick) and every VmRSS sample.
 */
export function sampleMemory(pid: number, everyMs = 100): {
  stop(): { peakKb: number; rssKb: number[] };
} {
  let peakKb = 0;
  const rssKb: number[] = [];
  const timer = setInterval(() => {
    const memory = memoryOf(pid);
    if (!memory) return;
    rssKb.push(memory.rssKb);
    peakKb = Math.max(peakKb, memory.hwmKb, memory.rssKb);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return { peakKb, rssKb };
    },
  };
}
