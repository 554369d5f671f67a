// The `sync` edge function, top-down: shared middleware, then one module per route (ARCHITECTURE §7).
import { Hono } from "hono";
import { corsFor } from "../_shared/cors.ts";
import { ApiError, errorEnvelope } from "../_shared/errors.ts";
import { requestId } from "../_shared/request-id.ts";
import type { SyncDeps, SyncEnv } from "./context.ts";
import { health } from "./routes/health.ts";
import { commands } from "./routes/commands.ts";
import { pusherAuth } from "./routes/pusher-auth.ts";
import { claim } from "./routes/agent/claim.ts";
import { openRun } from "./routes/agent/runs.ts";
import { progress } from "./routes/agent/progress.ts";
import { batches } from "./routes/agent/batches.ts";
import { finish } from "./routes/agent/finish.ts";
import { heartbeat } from "./routes/agent/heartbeat.ts";
import { fingerprints } from "./routes/agent/fingerprints.ts";

export function createApp(deps: SyncDeps) {
  const app = new Hono<SyncEnv>().basePath("/sync");

  // Every request: an id in the logs and the response, CORS for the web, the dependencies.
  app.use("*", requestId(deps.writeLog));
  app.use("*", corsFor(deps.webOrigins));
  app.use("*", async (c, next) => {
    c.set("deps", deps);
    await next();
  });

  // Anyone.
  app.route("/", health);
  // People, by role.
  app.route("/", commands);
  // People and agents.
  app.route("/", pusherAuth);
  // Office agents, by key: claim, then a run's lifecycle, and liveness.
  app.route("/", claim);
  app.route("/", fingerprints);
  app.route("/", openRun);
  app.route("/", progress);
  app.route("/", batches);
  app.route("/", finish);
  app.route("/", heartbeat);

  app.notFound((c) =>
    c.json(
      errorEnvelope(
        new ApiError(404, "not_found", `no route ${c.req.method} ${c.req.path}`),
        c.var.requestId,
      ),
      404,
    )
  );
  app.onError((error, c) => {
    if (error instanceof ApiError) {
      if (error.status >= 500) c.var.log("error", error.message);
      return c.json(errorEnvelope(error, c.var.requestId), error.status as 400);
    }
    c.var.log("error", "unhandled error", { error: String(error), stack: (error as Error).stack });
    const internal = new ApiError(
      500,
      "internal",
      "unexpected error; quote the request id when reporting it",
    );
    return c.json(errorEnvelope(internal, c.var.requestId), 500);
  });
  return app;
}
