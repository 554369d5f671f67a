// Reading one answer from the terminal: raw mode, so the bytes arrive as the terminal sends them (UTF-8;
// on Windows the console's wide characters, which Bun's tty converts to UTF-8) and a secret can be
// masked with `*`. Enter ends it, Backspace deletes, Ctrl-C aborts.

export class InputAborted extends Error {
  override readonly name = "InputAborted";
  constructor() {
    super("cancelled");
  }
}

export interface AnswerOptions {
  isSecret?: boolean;
  input?: NodeJS.ReadStream;
  output?: { write(text: string): unknown };
}

/** Applies one chunk of typed text to the answer; returns whether Enter ended it. */
export function applyKeys(
  answer: string[],
  text: string,
  echo: (shown: string) => void,
  isSecret: boolean,
): "more" | "done" | "aborted" {
  for (const char of text) {
    if (char === "\r" || char === "\n") return "done";
    if (char === "\u0003") return "aborted";
    if (char === "\u007f" || char === "\b") {
      if (answer.pop() !== undefined) echo("\b \b");
      continue;
    }
    if (char < " ") continue;
    answer.push(char);
    echo(isSecret ? "*" : char);
  }
  return "more";
}

/** Asks `question` and resolves with the answer (null when empty). */
export function readAnswer(question: string, options: AnswerOptions = {}): Promise<string | null> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  output.write(question);
  const answer: string[] = [];
  const decoder = new TextDecoder("utf-8");
  return new Promise((resolve, reject) => {
    const wasRaw = input.isRaw;
    input.setRawMode?.(true);
    input.resume();
    const finish = (error: Error | null) => {
      input.off("data", onData);
      input.setRawMode?.(wasRaw ?? false);
      input.pause();
      output.write("\n");
      if (error) reject(error);
      else resolve(answer.join("").trim() || null);
    };
    const onData = (chunk: Uint8Array | string) => {
      const text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
      const state = applyKeys(
        answer,
        text,
        (shown) => output.write(shown),
        options.isSecret ?? false,
      );
      if (state === "done") finish(null);
      if (state === "aborted") finish(new InputAborted());
    };
    input.on("data", onData);
  });
}
