// `bun devstack/src/gateway/main.ts`: the Supabase stand-in on its own. With PUENTE_DB_URL it serves that
// (already migrated) database; without, it starts a throwaway Postgres, migrates it and adds demo data.
// Prints one JSON line when ready; SIGINT/SIGTERM stop everything it started.
import { randomBytes } from "node:crypto";
import { applyMigrations, createDemoData, startPostgres } from "../postgres/index.ts";
import { startSupabaseStack } from "./stack.ts";

const stoppers: (() => Promise<void>)[] = [];
async function stopAll(code: number): Promise<never> {
  for (const stop of stoppers.reverse()) await stop().catch(() => {});
  process.exit(code);
}
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

try {
  let dbUrl = process.env.PUENTE_DB_URL;
  let demo: Awaited<ReturnType<typeof createDemoData>> | undefined;
  if (!dbUrl) {
    const pg = await startPostgres();
    stoppers.push(() => pg.stop());
    await applyMigrations(pg.url);
    demo = await createDemoData(pg.url);
    dbUrl = pg.url;
  }
  const jwtSecret = process.env.PUENTE_JWT_SECRET ?? randomBytes(32).toString("hex");
  const stack = await startSupabaseStack({
    dbUrl,
    jwtSecret,
    port: Number(process.env.PORT ?? 0),
    pusher: {
      appId: process.env.PUSHER_APP_ID ?? "puente",
      key: process.env.PUSHER_KEY ?? "puente-key",
      secret: process.env.PUSHER_SECRET ?? "puente-secret",
      // Without a Pusher stand-in, events fail and are logged; requests still succeed.
      host: process.env.PUSHER_HOST ?? "127.0.0.1",
      port: Number(process.env.PUSHER_PORT ?? 9),
    },
  });
  stoppers.push(() => stack.stop());
  console.log(JSON.stringify({
    ready: true,
    supabaseUrl: stack.gateway.url,
    anonKey: stack.gateway.anonKey,
    serviceRoleKey: stack.gateway.serviceRoleKey,
    jwtSecret,
    functionsUrl: stack.functionsUrl,
    dbUrl,
    ...(demo ? { agent: demo.agent, users: demo.users } : {}),
  }));
} catch (error) {
  console.error(`gateway: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
}
