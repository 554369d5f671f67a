// The clean-stop check the demo and README tests rely on must be able to fail: a command that leaves a
// process running and a port taken after Ctrl-C is reported with both.
import { expect, test } from "bun:test";
import { ReadyProcess } from "../demo/ready-process.ts";

test("a process that outlives Ctrl-C and keeps its port is reported as left over", async () => {
  // A server in a session of its own does not get the terminal's SIGINT, so it survives the shell.
  const server =
    `const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    console.log(JSON.stringify({ ready: true, ports: [s.port] }));
    setTimeout(() => process.exit(0), 60000);`;
  const run = new ReadyProcess(`setsid ${process.execPath} -e '${server}' & wait`);
  try {
    const ready = await run.ready(30_000);
    const stopped = await run.interrupt(10_000, 1_000);
    expect(stopped.leftovers.some((line) => line.includes(process.execPath))).toBe(true);
    expect(stopped.busyPorts).toEqual(ready.ports!);
  } finally {
    run.kill();
  }
});
