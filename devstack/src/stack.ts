// Starts every local stand-in in dependency order and returns what clients need to reach them.
// Anything started is stopped again if a later step fails, and by `stop()`.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { applyMigrations, createDemoData, startPostgres } from "./postgres/index.ts";
import { startPusherServer } from "./pusher/server.ts";
import { startSqlServer } from "./sqlserver/server.ts";
import { FerrawinExecutor } from "./ferrawin/executor.ts";
import { FerrawinGenerator } from "./ferrawin/generator.ts";
import { loadFixture, loadGenerated } from "./ferrawin/load.ts";
import { generateClients, loadClientsFixture } from "./wispro/clients.ts";
import { startWisproServer } from "./wispro/server.ts";
import { startSupabaseStack } from "./gateway/stack.ts";
import type { JwtMode } from "./gateway/jwt.ts";
import { killWhenOwnerExits } from "./process-guard.ts";

export interface StackOptions {
  /** A FerraWin fixture JSON file; otherwise `planillas` are generated. */
  ferrawinFixture?: string;
  planillas?: number;
  seed?: number;
  /** A Wispro fixture JSON file (an array of clients); otherwise `wisproClients` are generated. */
  wisproFixture?: string;
  wisproClients?: number;
  /** Where the edge function's log lines go. */
  edgeOutput?: "inherit" | "ignore";
  /** Extra secrets for the edge function, e.g. `{ PUENTE_PORTAL_ACCOUNTS: "id_number" }`. */
  edgeEnv?: Record<string, string>;
  /**
   * How user JWTs are signed: `es256` (default, as a current Supabase project: ES256 with a `kid`, a JWKS,
   * `sb_publishable_…`/`sb_secret_…` keys) or `hs256` (the legacy JWT secret). Also PUENTE_DEVSTACK_JWT.
   */
  jwtMode?: JwtMode;
  /** PUENTE_WEB_ORIGIN for the edge: the only browser origin(s) it answers CORS for (default `*`). */
  webOrigin?: string;
  log?: (line: string) => void;
}

/** The ready line of ARCHITECTURE §8: everything a client, a test or the agent needs. */
export interface ReadyInfo {
  ready: true;
  supabaseUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  /** The legacy HS256 secret: still accepted in `es256` mode, the only signing key in `hs256`. */
  jwtSecret: string;
  /** `es256` or `hs256`: how this devstack signs user JWTs. */
  jwtMode: JwtMode;
  functionsUrl: string;
  dbUrl: string;
  pusher: { appId: string; key: string; secret: string; host: string; port: number };
  sqlserver: { host: string; port: number; database: string; user: string; password: string };
  wispro: { baseUrl: string; token: string };
  agent: { id: string; key: string };
  users: { admin: { email: string; password: string }; staff: { email: string; password: string } };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

const secret = (bytes = 16) => randomBytes(bytes).toString("hex");

/** The agent's environment for this stack (the names `puente-agent init` writes). */
export function agentEnv(info: ReadyInfo): Record<string, string> {
  return {
    PUENTE_API_URL: info.functionsUrl,
    PUENTE_AGENT_KEY: info.agent.key,
    PUENTE_AGENT_ID: info.agent.id,
    FERRAWIN_HOST: info.sqlserver.host,
    FERRAWIN_PORT: String(info.sqlserver.port),
    FERRAWIN_DATABASE: info.sqlserver.database,
    FERRAWIN_USERNAME: info.sqlserver.user,
    FERRAWIN_PASSWORD: info.sqlserver.password,
    WISPRO_API_URL: info.wispro.baseUrl,
    WISPRO_API_TOKEN: info.wispro.token,
    PUSHER_APP_KEY: info.pusher.key,
    PUSHER_HOST: info.pusher.host,
    PUSHER_PORT: String(info.pusher.port),
    PUSHER_USE_TLS: "false",
  };
}

/** PUENTE_DEVSTACK_JWT=hs256 keeps the legacy signing path; anything else but es256 is a mistake. */
function jwtModeFromEnv(): JwtMode {
  const mode = process.env.PUENTE_DEVSTACK_JWT ?? "es256";
  if (mode !== "es256" && mode !== "hs256") {
    throw new Error(`PUENTE_DEVSTACK_JWT must be es256 or hs256, got "${mode}"`);
  }
  return mode;
}

export async function startStack(options: StackOptions = {}) {
  const log = options.log ?? (() => {});
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    stops.length = 0;
  };
  try {
    const pg = await startPostgres();
    stops.push(() => pg.stop());
    log(`postgres: ${pg.description}`);
    // FerraWin's database starts beside the migrations (on PGlite it is a second server to boot).
    const ferrawinDatabase = pg.createDatabase("ferrawin");
    ferrawinDatabase.catch(() => {});
    await applyMigrations(pg.url);
    const demo = await createDemoData(pg.url);

    // FerraWin's tables live in their own database, as they would on the office's SQL Server.
    const ferrawinUrl = await ferrawinDatabase;
    const fixtureDb = postgres(ferrawinUrl, { max: 8, onnotice: () => {} });
    try {
      const counts = options.ferrawinFixture
        ? await loadFixture(fixtureDb, options.ferrawinFixture)
        : await loadGenerated(
          fixtureDb,
          new FerrawinGenerator({ planillas: options.planillas ?? 200, seed: options.seed ?? 1 }),
        );
      log(`ferrawin fixture: ${counts.ORD_HEAD} planillas, ${counts.ORD_BAR} bars`);
    } finally {
      await fixtureDb.end();
    }

    const pusher = await startPusherServer({
      appId: "puente-local",
      key: secret(10),
      secret: secret(),
    });
    stops.push(() => pusher.stop());

    const jwtSecret = secret(32);
    const supabase = await startSupabaseStack({
      dbUrl: pg.url,
      jwtSecret,
      jwtMode: options.jwtMode ?? jwtModeFromEnv(),
      webOrigin: options.webOrigin,
      pusher,
      edgeOutput: options.edgeOutput ?? "ignore",
      edgeEnv: options.edgeEnv,
    });
    killWhenOwnerExits(supabase.edge.pid);
    stops.push(() => supabase.stop());
    const { gateway, edge } = supabase;

    const executor = new FerrawinExecutor({
      url: ferrawinUrl,
      // PGlite serves one session: a cursor left open mid-result would hold every other connection.
      cursorRows: pg.kind === "pglite" ? null : undefined,
    });
    stops.push(() => executor.close());
    const sqlserverLogin = { user: "puente_reader", password: secret(12), database: "FERRAWIN" };
    // FerraWin databases are old Spanish installs: their collation is Modern_Spanish_CI_AS.
    const sqlserver = await startSqlServer({
      ...sqlserverLogin,
      executor,
      collation: "Modern_Spanish_CI_AS",
    });
    stops.push(() => sqlserver.stop());

    const wisproToken = secret(20);
    const clients = options.wisproFixture
      ? loadClientsFixture(options.wisproFixture)
      : generateClients(options.wisproClients ?? 500, options.seed ?? 1);
    const wispro = startWisproServer({ token: wisproToken, clients });
    stops.push(() => wispro.stop());

    const info: ReadyInfo = {
      ready: true,
      supabaseUrl: gateway.url,
      anonKey: gateway.anonKey,
      serviceRoleKey: gateway.serviceRoleKey,
      jwtSecret,
      jwtMode: gateway.jwtMode,
      functionsUrl: supabase.functionsUrl,
      dbUrl: pg.url,
      pusher: {
        appId: pusher.appId,
        key: pusher.key,
        secret: pusher.secret,
        host: pusher.host,
        port: pusher.port,
      },
      sqlserver: { host: sqlserver.host, port: sqlserver.port, ...sqlserverLogin },
      wispro: { baseUrl: wispro.baseUrl, token: wisproToken },
      agent: { id: demo.agent.id, key: demo.agent.key },
      users: {
        admin: { email: demo.users.admin.email, password: demo.users.admin.password },
        staff: { email: demo.users.staff.email, password: demo.users.staff.password },
      },
    };
    return { info, ferrawinUrl, pusher, sqlserver, wispro, gateway, edge, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
