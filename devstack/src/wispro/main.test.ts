// The runnable stand-in: one ready JSON line, then it serves until signalled.
import { expect, test } from "bun:test";
import ky from "ky";

test("prints a ready line with the base URL and token, serves, and stops on SIGTERM", async () => {
  const child = Bun.spawn({
    cmd: [
      process.execPath,
      `${import.meta.dir}/main.ts`,
      "--clients",
      "7",
      "--token",
      "main-token",
    ],
    stdout: "pipe",
    stderr: "inherit",
  });
  try {
    const reader = child.stdout.getReader();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    reader.releaseLock();
    const ready = JSON.parse(text.split("\n")[0] ?? "");
    expect(ready).toMatchObject({ ready: true, wispro: { token: "main-token", clients: 7 } });
    const body = await ky.get(`${ready.wispro.baseUrl}/clients`, {
      headers: { authorization: "main-token" },
    }).json<{ meta: { pagination: { total_records: number } } }>();
    expect(body.meta.pagination.total_records).toBe(7);
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
