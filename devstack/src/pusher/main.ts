// Runs the Pusher stand-in on its own: prints one JSON line when ready, stops on SIGINT/SIGTERM.
import { loadPusherConfig, PusherConfigInvalid } from "./config.ts";
import { startPusherServer } from "./server.ts";

async function main(): Promise<void> {
  const config = loadPusherConfig(process.argv.slice(2), process.env);
  const server = await startPusherServer(config);
  const { appId, key, secret, host, port, url } = server;
  console.log(JSON.stringify({ ready: true, pusher: { appId, key, secret, host, port, url } }));
  const shutdown = async () => {
    await server.stop();
    process.exit(0);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof PusherConfigInvalid ? error.message : error);
  process.exit(1);
});
