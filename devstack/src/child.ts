// Child processes the devstack starts (the edge under Deno, PGlite's server, the agent): each keeps
// the tail of what it printed, so a child that dies before it is ready is named with its last lines.

/** A child that exited (or never answered) before it was ready; the message names it and quotes it. */
export class ChildStartFailed extends Error {
  override name = "ChildStartFailed";
}

/** The last `max` lines a child printed on stdout and stderr, interleaved as they arrived. */
export class OutputTail {
  #lines: string[] = [];
  #partial = "";
  constructor(private readonly max = 20) {}

  push(text: string): void {
    const parts = (this.#partial + text).split(/\r?\n/);
    this.#partial = parts.pop() ?? "";
    for (const line of parts) this.#lines.push(line);
    if (this.#lines.length > this.max) this.#lines.splice(0, this.#lines.length - this.max);
  }

  /** The kept lines (with a last unfinished line), oldest first. */
  lines(): string[] {
    const all = this.#partial ? [...this.#lines, this.#partial] : [...this.#lines];
    return all.slice(-this.max);
  }

  /** The kept lines indented for an error message, or a note that there were none. */
  quote(): string {
    const lines = this.lines();
    return lines.length
      ? `its last ${lines.length} line(s) of output:\n${lines.map((l) => `  | ${l}`).join("\n")}`
      : "it printed nothing";
  }
}

/**
 * Reads `stream` to its end, keeping its tail in `tail`, handing each chunk to `forward` (a parent
 * stream for inherited output, a capture for tests).
 */
export async function drainInto(
  stream: ReadableStream<Uint8Array> | number | undefined | null,
  tail: OutputTail,
  forward?: (text: string) => void,
): Promise<void> {
  if (!(stream instanceof ReadableStream)) return;
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    const text = decoder.decode(read.value, { stream: true });
    tail.push(text);
    forward?.(text);
  }
}

/** "the edge function exited with code 1 before it was ready; its last 3 line(s) of output: …" */
export function diedBeforeReady(
  what: string,
  exit: { exitCode: number | null; signalCode: string | number | null },
  tail: OutputTail,
): string {
  const how = exit.exitCode !== null
    ? `exited with code ${exit.exitCode}`
    : `was killed by ${exit.signalCode}`;
  return `${what} ${how} before it was ready; ${tail.quote()}`;
}
