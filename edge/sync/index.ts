// Entry point of the `sync` edge function: load and check the configuration once, then serve the app.
import { createApp } from "./app.ts";
import { productionDeps } from "./deps.ts";

const app = createApp(productionDeps(Deno.env.toObject()));

// Hosted Supabase picks the port itself; the devstack passes PORT and binds loopback.
const port = Number(Deno.env.get("PORT") ?? "") || undefined;
Deno.serve(
  port
    ? { port, hostname: Deno.env.get("PUENTE_EDGE_HOSTNAME") ?? "127.0.0.1", onListen: () => {} }
    : {},
  app.fetch,
);
