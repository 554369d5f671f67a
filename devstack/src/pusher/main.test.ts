// Runs main.ts as a child process the way the devstack CLI will.
import { expect, test } from "bun:test";
import PusherServerSdk from "pusher";

test("main prints one ready line, serves the HTTP API and stops on SIGTERM", async () => {
  const child = Bun.spawn([
    process.execPath,
    `${import.meta.dir}/main.ts`,
    "--key",
    "main-key",
    "--secret",
    "main-secret",
  ], {
    stdout: "pipe",
    stderr: "inherit",
  });
  try {
    const reader = child.stdout.getReader();
    let buffered = "";
    while (!buffered.includes("\n")) {
      const chunk = await reader.read();
      if (chunk.done) throw new Error(`main exited before it was ready: ${buffered}`);
      buffered += new TextDecoder().decode(chunk.value);
    }
    reader.releaseLock();
    const ready = JSON.parse(buffered.split("\n")[0] ?? "");
    expect(ready).toMatchObject({
      ready: true,
      pusher: { key: "main-key", secret: "main-secret", host: "127.0.0.1" },
    });
    expect(ready.pusher.port).toBeGreaterThan(0);
    const sdk = new PusherServerSdk({
      appId: ready.pusher.appId,
      key: "main-key",
      secret: "main-secret",
      host: ready.pusher.host,
      port: String(ready.pusher.port),
      useTLS: false,
    });
    const response = await sdk.get({ path: "/channels" });
    expect(await response.json()).toEqual({ channels: {} });
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}, 15_000);
