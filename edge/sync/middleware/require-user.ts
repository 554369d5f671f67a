// Routes for people: the JWT must verify and belong to a signed-in user; the user is put on the context.
import type { MiddlewareHandler } from "hono";
import { authenticateUser } from "../../_shared/auth.ts";
import type { SyncEnv } from "../context.ts";

export const requireUser: MiddlewareHandler<SyncEnv> = async (c, next) => {
  c.set("user", await authenticateUser(c.req.raw, c.var.deps.verifyJwt));
  await next();
};
