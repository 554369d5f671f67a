// The heartbeat: tells the edge every 15 s that this agent is alive, its version and its active run.
import type { HeartbeatInput } from "../sink/edge-client.ts";

export interface HeartbeatOptions {
  send: (heartbeat: HeartbeatInput) => Promise<void>;
  info: () => HeartbeatInput;
  intervalMs: number;
  onError: (error: Error) => void;
}

/** Sends one heartbeat now and then every `intervalMs`; returns the function that stops it. */
export function startHeartbeat(options: HeartbeatOptions): () => void {
  let isSending = false;
  const beat = async () => {
    if (isSending) return;
    isSending = true;
    try {
      await options.send(options.info());
    } catch (error) {
      options.onError(error instanceof Error ? error : new Error(String(error)));
    } finally {
      isSending = false;
    }
  };
  void beat();
  const timer = setInterval(beat, options.intervalMs);
  return () => clearInterval(timer);
}
