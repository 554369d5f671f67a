// Runs the Wispro stand-in alone: `bun devstack/src/wispro/main.ts [--fixture FILE | --clients N]
// [--seed S] [--token T] [--port P] [--latency-ms MS]`. Prints one ready JSON line, then serves
// until SIGINT or SIGTERM.
import { parseArgs } from "node:util";
import { generateClients, loadClientsFixture } from "./clients.ts";
import { startWisproServer } from "./server.ts";

const { values } = parseArgs({
  options: {
    fixture: { type: "string" },
    clients: { type: "string", default: "250" },
    seed: { type: "string", default: "1" },
    token: { type: "string" },
    port: { type: "string", default: "0" },
    "latency-ms": { type: "string", default: "0" },
  },
});

function whole(name: string, value: string): number {
  if (!/^\d+$/.test(value)) {
    console.error(`--${name} must be a whole number, got "${value}"`);
    process.exit(2);
  }
  return Number(value);
}

const clients = values.fixture
  ? loadClientsFixture(values.fixture)
  : generateClients(whole("clients", values.clients), whole("seed", values.seed));
const token = values.token ?? crypto.randomUUID().replaceAll("-", "");
const server = startWisproServer({ token, clients, port: whole("port", values.port) });
server.faults.latencyMs = whole("latency-ms", values["latency-ms"]);

console.log(JSON.stringify({
  ready: true,
  wispro: { baseUrl: server.baseUrl, token, clients: clients.length },
}));

const shutdown = async () => {
  await server.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
