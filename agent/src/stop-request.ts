// A graceful stop that does not need a signal. Windows' Task Scheduler can only kill a task (`schtasks
// /End`), so `puente-agent service stop` writes this file in the state folder and the running agent,
// which polls for it, stops as it does on SIGTERM: it pauses its run so the next start resumes it.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const stopRequestPath = (stateDir: string) => join(stateDir, "stop-request");

/** Asks the agent that uses `stateDir` to stop. */
export function requestStop(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${new Date().toISOString()}\n`);
}

/** Removes a request left from an earlier stop, so it does not stop the agent that starts now. */
export function clearStopRequest(path: string): void {
  rmSync(path, { force: true });
}

/** Calls `onStop` once when the stop-request file appears; returns the function that stops watching. */
export function watchStopRequest(path: string, onStop: () => void, intervalMs = 1000): () => void {
  const timer = setInterval(() => {
    if (!existsSync(path)) return;
    clearInterval(timer);
    clearStopRequest(path);
    onStop();
  }, intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
