// `npm run demo [-- --planillas N]`: the whole system on this machine. The stand-ins with a generated
// dataset, the edge function, the web app and the agent daemon with the demo key; Ctrl-C stops it all.
import { parseArgs } from "node:util";
import { startStack } from "./stack.ts";
import { agentSpawnOptions, newAgentHome } from "./agent-process.ts";
import { ensureWebBuild, isPortFree, startWebServer } from "./web-server.ts";
import { killWhenOwnerExits } from "./process-guard.ts";

const { values } = parseArgs({
  options: {
    planillas: { type: "string", default: "2000" },
    "wispro-clients": { type: "string", default: "1000" },
    port: { type: "string", default: "8080" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(`usage: npm run demo [-- --planillas N] [--wispro-clients N] [--port P]

Starts every stand-in with a generated FerraWin dataset (default 2000 planillas) and Wispro
clients (default 1000), the edge function, the web app (default port 8080, or a free one) and the
agent daemon. Prints the web URL and the demo logins. Ctrl-C stops everything.

For scripts, the ready line is one line of JSON on stdout that starts with {"ready":true: the
fields \`npm run devstack -- up\` prints (URLs, keys, logins), plus "webUrl", "agentLogs", "pids"
(the demo and the processes it started) and "ports" (every port it listens on). Ctrl-C or SIGTERM
stops everything and exits 0.`);
  process.exit(0);
}

function wholeNumber(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    console.error(`demo: --${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    process.exit(2);
  }
  return n;
}
const planillas = wholeNumber("planillas", values.planillas, 0, 1_000_000);
const wisproClients = wholeNumber("wispro-clients", values["wispro-clients"], 0, 1_000_000);
const wantedPort = wholeNumber("port", values.port, 1, 65_535);

const log = (line: string) => console.log(`demo: ${line}`);

await ensureWebBuild(log);
log(`starting the stand-ins with ${planillas} planillas…`);
const stack = await startStack({ planillas, wisproClients, log });
const stops: (() => unknown)[] = [() => stack.stop()];
try {
  const web = startWebServer({ info: stack.info, port: isPortFree(wantedPort) ? wantedPort : 0 });
  stops.push(() => web.stop());

  const logDir = newAgentHome();
  const agent = Bun.spawn({
    ...agentSpawnOptions(stack.info, ["run"], logDir),
    stdio: ["ignore", "inherit", "inherit"],
  });
  killWhenOwnerExits(agent.pid);
  stops.push(async () => {
    agent.kill("SIGTERM");
    await Promise.race([agent.exited, Bun.sleep(5000)]);
    agent.kill("SIGKILL");
  });

  // The ready line for scripts (documented in --help and the README); the text below is for people.
  const portOf = (url: string) => Number(new URL(url).port);
  console.log(JSON.stringify({
    ...stack.info,
    webUrl: web.url,
    agentLogs: logDir,
    pids: { demo: process.pid, agent: agent.pid, edge: stack.edge.pid },
    ports: [
      ...new Set([
        portOf(web.url),
        portOf(stack.info.supabaseUrl),
        portOf(stack.edge.url),
        portOf(stack.info.dbUrl),
        portOf(stack.ferrawinUrl),
        stack.info.pusher.port,
        stack.info.sqlserver.port,
        portOf(stack.info.wispro.baseUrl),
      ]),
    ],
  }));
  const { admin, staff } = stack.info.users;
  console.log(`
  Puente is running.

  Web panel:   ${web.url}
  Admin:       ${admin.email} / ${admin.password}
  Staff:       ${staff.email} / ${staff.password}
  Supabase:    ${stack.info.supabaseUrl}   (functions: ${stack.info.functionsUrl})
  Agent logs:  ${logDir}

  Press Ctrl-C to stop everything.
`);
} catch (error) {
  for (const stop of stops.reverse()) await stop();
  throw error;
}

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  log("stopping…");
  for (const stop of stops.reverse()) await stop();
  process.exit(0);
};
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());
