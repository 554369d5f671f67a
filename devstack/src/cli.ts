// `npm run devstack -- up [--ferrawin-fixture FILE] [--wispro-fixture FILE] [--planillas N] [--json]`
// Starts every stand-in, prints one JSON ready line on stdout, and stays up until SIGINT or SIGTERM.
import { parseArgs } from "node:util";
import { startStack } from "./stack.ts";

const USAGE = `usage: npm run devstack -- up [options]

Starts local stand-ins for Supabase (Postgres, API gateway, edge function), Pusher, FerraWin's
SQL Server and the Wispro API, creates a demo agent and two demo users, then prints one JSON
line with every URL, key and login, and stays in the foreground. Ctrl-C stops everything.

options:
  --ferrawin-fixture FILE   FerraWin fixture JSON (default: generated)
  --planillas N             planillas to generate when no fixture is given (default 200)
  --wispro-fixture FILE     Wispro clients JSON array (default: generated)
  --wispro-clients N        clients to generate when no fixture is given (default 500)
  --seed S                  generator seed (default 1)
  --jwt es256|hs256         how user JWTs are signed: es256 (default, as current Supabase projects:
                            a JWKS and sb_publishable_/sb_secret_ keys) or hs256 (the legacy secret);
                            also PUENTE_DEVSTACK_JWT
  --json                    print only the JSON ready line on stdout (progress goes to stderr)
  --help                    this text`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    "ferrawin-fixture": { type: "string" },
    "wispro-fixture": { type: "string" },
    planillas: { type: "string" },
    "wispro-clients": { type: "string" },
    seed: { type: "string" },
    jwt: { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (values.help || positionals[0] !== "up") {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}

const wholeNumber = (name: string, raw: string | undefined) => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number, got "${raw}"`);
    process.exit(2);
  }
  return n;
};

const jwtMode = values.jwt ?? process.env.PUENTE_DEVSTACK_JWT ?? "es256";
if (jwtMode !== "es256" && jwtMode !== "hs256") {
  console.error(`--jwt must be es256 or hs256, got "${jwtMode}"`);
  process.exit(2);
}

const log = (line: string) => console.error(`devstack: ${line}`);
const stack = await startStack({
  ferrawinFixture: values["ferrawin-fixture"],
  wisproFixture: values["wispro-fixture"],
  planillas: wholeNumber("planillas", values.planillas),
  wisproClients: wholeNumber("wispro-clients", values["wispro-clients"]),
  seed: wholeNumber("seed", values.seed),
  jwtMode,
  edgeOutput: "inherit",
  log,
}).catch((error: unknown) => {
  console.error(
    `devstack: could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});

console.log(JSON.stringify(stack.info));
if (!values.json) log(`ready: ${stack.info.supabaseUrl} (Ctrl-C stops everything)`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  await stack.stop();
  process.exit(0);
};
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
