import { describe, expect, test } from "bun:test";
import { EventEmitter } from "node:events";
import { applyKeys, InputAborted, readAnswer } from "./terminal-input.ts";

/** A terminal: raw mode is recorded, typed bytes are emitted as data. */
function fakeTerminal() {
  const input = Object.assign(new EventEmitter(), {
    isRaw: false,
    rawModes: [] as boolean[],
    setRawMode(mode: boolean) {
      this.isRaw = mode;
      this.rawModes.push(mode);
      return this;
    },
    resume() {},
    pause() {},
  });
  let shown = "";
  return {
    input,
    output: { write: (text: string) => (shown += text) },
    shown: () => shown,
    type: (text: string) => input.emit("data", new TextEncoder().encode(text)),
  };
}

describe("terminal input", () => {
  test("a secret is masked, non-ASCII arrives intact, split UTF-8 bytes are joined", async () => {
    const t = fakeTerminal();
    const answer = readAnswer("FerraWin SQL password: ", {
      isSecret: true,
      input: t.input as unknown as NodeJS.ReadStream,
      output: t.output,
    });
    const bytes = new TextEncoder().encode("Contraseña$1");
    // "ñ" is two bytes: deliver them in separate chunks, as a terminal may.
    const split = bytes.indexOf(0xc3) + 1;
    t.input.emit("data", bytes.slice(0, split));
    t.input.emit("data", bytes.slice(split));
    t.type("\r");
    expect(await answer).toBe("Contraseña$1");
    expect(t.shown()).toBe("FerraWin SQL password: ************\n");
    expect(t.shown()).not.toContain("Contra");
    expect(t.input.rawModes).toEqual([true, false]);
  });

  test("a plain answer is echoed; backspace deletes; Ctrl-C aborts", async () => {
    const t = fakeTerminal();
    const answer = readAnswer("Host: ", {
      input: t.input as unknown as NodeJS.ReadStream,
      output: t.output,
    });
    t.type("srvx\u007f\n");
    expect(await answer).toBe("srv");
    expect(t.shown()).toBe("Host: srvx\b \b\n");
    const t2 = fakeTerminal();
    const aborted = readAnswer("Key: ", {
      input: t2.input as unknown as NodeJS.ReadStream,
      output: t2.output,
    });
    t2.type("ab\u0003");
    await expect(aborted).rejects.toBeInstanceOf(InputAborted);
  });

  test("applyKeys ignores control characters other than the ones it handles", () => {
    const answer: string[] = [];
    expect(applyKeys(answer, "a\u001bb", () => {}, false)).toBe("more");
    expect(answer.join("")).toBe("ab");
  });
});
