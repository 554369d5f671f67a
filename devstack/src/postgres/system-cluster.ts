// A throwaway PostgreSQL cluster from the system binaries: temp data dir, free port, fsync off.
// initdb and pg_ctl refuse to run as root, so as root they run as the `postgres` user.
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { cleanupWhenOwnerExits } from "../process-guard.ts";

export const DEFAULT_PG_BIN = "/usr/lib/postgresql/15/bin";

export class PostgresUnavailable extends Error {
  override name = "PostgresUnavailable";
}

export interface SystemCluster {
  kind: "system";
  url: string;
  host: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export function systemBinariesPresent(
  binDir = process.env.PUENTE_PG_BIN ?? DEFAULT_PG_BIN,
): boolean {
  return existsSync(join(binDir, "initdb")) && existsSync(join(binDir, "pg_ctl"));
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port"))
      );
    });
  });
}

function run(argv: string[], asPostgres: boolean): { ok: boolean; output: string } {
  const cmd = asPostgres ? ["runuser", "-u", "postgres", "--", ...argv] : argv;
  const result = Bun.spawnSync({ cmd, stdout: "pipe", stderr: "pipe" });
  return {
    ok: result.exitCode === 0,
    output: `${result.stdout.toString()}${result.stderr.toString()}`,
  };
}

/**
 * The server outlives a killed test runner (pg_ctl detaches it), so a watchdog stops the cluster
 * and removes its files once the process that started it is gone.
 */
function watchOwner(binDir: string, dataDir: string, asPostgres: boolean): void {
  const stop = [join(binDir, "pg_ctl"), "-D", join(dataDir, "data"), "-m", "immediate", "stop"];
  const stopCommand = (asPostgres ? ["runuser", "-u", "postgres", "--", ...stop] : stop).join(" ");
  cleanupWhenOwnerExits(`[ -d ${dataDir}/data ]`, `${stopCommand}; rm -rf ${dataDir}`);
}

/**
 * Starts a fresh cluster; `settings` become `-c key=value` server options. `superuser` names the
 * bootstrap superuser (default `postgres`; the hosted-like database uses `supabase_admin`).
 */
export async function startSystemCluster(
  options: {
    binDir?: string;
    settings?: Record<string, string | number>;
    superuser?: string;
  } = {},
): Promise<SystemCluster> {
  const superuser = options.superuser ?? "postgres";
  const binDir = options.binDir ?? process.env.PUENTE_PG_BIN ?? DEFAULT_PG_BIN;
  if (!systemBinariesPresent(binDir)) {
    throw new PostgresUnavailable(
      `PostgreSQL binaries not found in ${binDir} (apt-get install -y postgresql-15)`,
    );
  }
  const asPostgres = userInfo().uid === 0;
  const dataDir = mkdtempSync(join(tmpdir(), "puente-pg-"));
  if (asPostgres) {
    const ids = Bun.spawnSync({ cmd: ["id", "-u", "postgres"] }).stdout.toString().trim();
    const gid = Bun.spawnSync({ cmd: ["id", "-g", "postgres"] }).stdout.toString().trim();
    chownSync(dataDir, Number(ids), Number(gid));
  }
  const init = run(
    [
      join(binDir, "initdb"),
      "-D",
      join(dataDir, "data"),
      "-U",
      superuser,
      "--auth=trust",
      "-E",
      "UTF8",
      "--locale=C.UTF-8",
    ],
    asPostgres,
  );
  if (!init.ok) throw new PostgresUnavailable(`initdb failed: ${init.output.trim()}`);
  const port = await freePort();
  const settings: Record<string, string | number> = {
    fsync: "off",
    synchronous_commit: "off",
    full_page_writes: "off",
    listen_addresses: "127.0.0.1",
    max_connections: 200,
    ...options.settings,
  };
  const serverOptions = [
    `-p ${port}`,
    `-k ${dataDir}`,
    ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`),
  ]
    .join(" ");
  const start = run(
    [
      join(binDir, "pg_ctl"),
      "-D",
      join(dataDir, "data"),
      "-l",
      join(dataDir, "server.log"),
      "-o",
      serverOptions,
      "-w",
      "start",
    ],
    asPostgres,
  );
  if (!start.ok) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new PostgresUnavailable(`pg_ctl start failed: ${start.output.trim()}`);
  }
  watchOwner(binDir, dataDir, asPostgres);
  let stopped = false;
  return {
    kind: "system",
    host: "127.0.0.1",
    port,
    dataDir,
    url: `postgres://${superuser}@127.0.0.1:${port}/postgres`,
    stop() {
      if (!stopped) {
        stopped = true;
        run(
          [join(binDir, "pg_ctl"), "-D", join(dataDir, "data"), "-m", "immediate", "-w", "stop"],
          asPostgres,
        );
        rmSync(dataDir, { recursive: true, force: true });
      }
      return Promise.resolve();
    },
  };
}
