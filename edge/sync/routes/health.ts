// GET /health: is the function up, which build is it, and can it reach the database.
import { Hono } from "hono";
import { PROTOCOL_VERSION } from "../../../protocol/src/index.ts";
import type { SyncEnv } from "../context.ts";

export const health = new Hono<SyncEnv>().get("/health", async (c) => {
  const started = performance.now();
  try {
    const answer = await c.var.deps.db.anon().call<{ ok: boolean; now: string }>("health");
    return c.json({
      ok: true,
      version: c.var.deps.version,
      protocol: PROTOCOL_VERSION,
      db: {
        reachable: answer?.ok === true,
        now: answer?.now ?? null,
        ms: Math.round(performance.now() - started),
      },
    });
  } catch (error) {
    c.var.log("warn", "health: database unreachable", { error: String(error) });
    return c.json({
      ok: false,
      version: c.var.deps.version,
      protocol: PROTOCOL_VERSION,
      db: { reachable: false, now: null, ms: Math.round(performance.now() - started) },
    }, 503);
  }
});
