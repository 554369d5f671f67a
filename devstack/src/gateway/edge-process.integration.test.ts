// An edge function that cannot start is named in the devstack's own error, with what it printed: here
// its environment lacks SUPABASE_URL, so the function itself says which variable, and that line must
// reach the EdgeStartFailed message (the "see the output above" of old pointed at nothing).
import { expect, test } from "bun:test";
import { EdgeStartFailed, startEdge } from "./edge-process.ts";
import { freePort } from "../postgres/system-cluster.ts";

test(
  "an edge that exits at start fails with its exit code and its last lines of output",
  async () => {
    const port = await freePort();
    const failure = await startEdge({
      port,
      output: "ignore",
      // Everything the function needs but its database URL; the inherited environment may not supply it.
      env: {
        SUPABASE_URL: "",
        SUPABASE_ANON_KEY: "anon",
        SUPABASE_SERVICE_ROLE_KEY: "service",
        PUENTE_JWT_SECRET: "x".repeat(32),
        PUSHER_APP_ID: "1",
        PUSHER_KEY: "k",
        PUSHER_SECRET: "s",
        PUSHER_HOST: "127.0.0.1",
        PUSHER_PORT: "6001",
      },
    }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(EdgeStartFailed);
    const message = (failure as Error).message;
    expect(message).toMatch(
      /^the edge function \(deno run edge\/sync\/index\.ts, pid \d+\) exited with code 1/,
    );
    expect(message).toMatch(/its last \d+ line\(s\) of output:/);
    expect(message).toContain("SUPABASE_URL");
  },
  120_000,
);
