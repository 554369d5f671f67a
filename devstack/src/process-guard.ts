// Servers the devstack starts must not outlive it: if the process that started them is killed
// (a crashed test runner, `kill -9`), a watchdog in its own session cleans up after it.

/**
 * While this process is alive and `stillNeeded` (a shell condition) holds, waits; if this process
 * died first, runs `cleanup` (a shell command). The watchdog costs one `sleep 1` a second.
 */
export function cleanupWhenOwnerExits(stillNeeded: string, cleanup: string): void {
  const owner = process.pid;
  const script = `while kill -0 ${owner} 2>/dev/null && ${stillNeeded}; do sleep 1; done; ` +
    `kill -0 ${owner} 2>/dev/null || { ${cleanup}; } >/dev/null 2>&1`;
  // Its own session (setsid), so a Ctrl-C to the terminal's group does not end the watchdog first;
  // macOS has no setsid, and Windows no sh: there the devstack's own stop is all there is.
  if (process.platform === "win32") return;
  const cmd = Bun.which("setsid") ? ["setsid", "sh", "-c", script] : ["sh", "-c", script];
  Bun.spawn({ cmd, stdio: ["ignore", "ignore", "ignore"] }).unref();
}

/** Kills `pid` (TERM, then KILL) if this process dies while `pid` still runs. */
export function killWhenOwnerExits(pid: number): void {
  cleanupWhenOwnerExits(
    `kill -0 ${pid} 2>/dev/null`,
    `kill -TERM ${pid}; sleep 3; kill -KILL ${pid}`,
  );
}
