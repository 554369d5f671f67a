// The agent's configuration: one zod-validated object from the environment and the .env file, loaded once.
// Every problem names its variable; `redact` keeps the secrets out of logs, errors and run events.
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { z } from "zod";
import { ConfigInvalid } from "./errors/config-invalid.ts";
import { parseDotenv } from "./dotenv.ts";
import { MAX_IN_FLIGHT_LIMIT } from "./sink/batch-pipeline.ts";
import { DEFAULT_CONCURRENCY, DEFAULT_PER_PAGE } from "./sources/wispro/pages.ts";
import { DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_RETRY } from "./sink/edge-client.ts";
import { DEFAULT_TIMEOUT_MS } from "./sources/wispro/client.ts";
import { DEFAULT_OUTAGE_BUDGET_MS } from "./sink/outage.ts";
import { noProxyFrom, proxyFrom } from "./proxy.ts";
import type { FerrawinSourceOptions, WisproSourceOptions } from "./sources/source.ts";

/** Variables whose values are secrets: never printed, never logged, written with 0600 permissions. */
export const SECRET_VARIABLES = [
  "PUENTE_AGENT_KEY",
  "FERRAWIN_PASSWORD",
  "WISPRO_API_TOKEN",
] as const;

const blankToUndefined = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;
const optionalString = z.preprocess(blankToUndefined, z.string().trim().optional());
const boolean = (fallback: boolean) =>
  z.preprocess(
    blankToUndefined,
    z.enum(["true", "false", "1", "0", "yes", "no"], { error: "must be true or false" })
      .optional()
      .transform((v) => (v === undefined ? fallback : ["true", "1", "yes"].includes(v))),
  );
const integer = (fallback: number, min: number, max: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce.number({ error: "must be a number" }).int({ error: "must be a whole number" })
      .min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` })
      .default(fallback),
  );
/** localhost, 127.0.0.0/8 and ::1: the only hosts plain http:// may reach (nothing leaves the machine). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** An https URL; http only for a loopback address, since it would carry the key or token in clear. */
const httpUrl = z.preprocess(
  blankToUndefined,
  z.url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .refine((u) => new URL(u).protocol === "https:" || isLoopbackHost(new URL(u).hostname), {
      error:
        "must start with https:// (http:// would send the key or token in clear; it is allowed only for localhost or 127.0.0.1)",
    })
    .transform((u) => u.replace(/\/+$/, "")),
);

/**
 * Every variable the agent reads, with its default. The .env file that `puente-agent init` writes uses
 * the same names.
 */
const EnvSchema = z.object({
  /** The edge function's base, e.g. https://<project>.supabase.co/functions/v1/sync. */
  PUENTE_API_URL: httpUrl,
  /** This agent's key, created in the panel. */
  PUENTE_AGENT_KEY: z.preprocess(
    blankToUndefined,
    z.string({ error: "is required (create a key in the panel)" }).trim().min(
      16,
      { error: "is too short to be an agent key" },
    ),
  ),
  /** This agent's id (shown next to its key in the panel); the listener needs it for its channel. */
  PUENTE_AGENT_ID: z.preprocess(blankToUndefined, z.uuid({ error: "must be a UUID" }).optional()),
  PUENTE_AGENT_NAME: optionalString,
  /** HOST, or HOST\\INSTANCE for a named instance (its port then comes from SQL Browser). */
  FERRAWIN_HOST: optionalString,
  FERRAWIN_INSTANCE: optionalString,
  /** Default 1433, or none for a named instance (SQL Browser finds it); set it to skip the Browser. */
  FERRAWIN_PORT: z.preprocess(
    blankToUndefined,
    z.coerce.number({ error: "must be a number" }).int({ error: "must be a whole number" })
      .min(1, { error: "must be at least 1" }).max(65535, { error: "must be at most 65535" })
      .optional(),
  ),
  /** sql: a SQL Server login (needs mixed mode); ntlm: a Windows account of FERRAWIN_DOMAIN. */
  FERRAWIN_AUTH: z.preprocess(
    (v) => (typeof v === "string" ? blankToUndefined(v.trim().toLowerCase()) : v),
    z.enum(["sql", "ntlm"], { error: "must be sql or ntlm" }).default("sql"),
  ),
  FERRAWIN_DOMAIN: optionalString,
  FERRAWIN_DATABASE: z.preprocess(blankToUndefined, z.string().trim().default("FERRAWIN")),
  FERRAWIN_USERNAME: optionalString,
  FERRAWIN_PASSWORD: z.preprocess(blankToUndefined, z.string().optional()),
  /** Off by default: office SQL Servers rarely have a certificate; turn it on where they do. */
  FERRAWIN_ENCRYPT: boolean(false),
  /**
   * Unset: the certificate is verified whenever FERRAWIN_ENCRYPT is on (a LAN attacker could otherwise
   * pose as the server and read the SQL password); `true` is the admin's explicit opt-out.
   */
  FERRAWIN_TRUST_SERVER_CERTIFICATE: z.preprocess(
    blankToUndefined,
    z.enum(["true", "false", "1", "0", "yes", "no"], { error: "must be true or false" })
      .optional()
      .transform((v) => (v === undefined ? undefined : ["true", "1", "yes"].includes(v))),
  ),
  /** Lowest TLS version accepted; TLSv1 reaches unpatched 2008/2012 servers that speak only TLS 1.0. */
  FERRAWIN_TLS_MIN_VERSION: z.preprocess(
    blankToUndefined,
    z.enum(["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"], {
      error: "must be TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3",
    }).optional(),
  ),
  /** PEM file of the CA that signed SQL Server's certificate; trusted instead of the system's CAs. */
  FERRAWIN_CA_FILE: optionalString,
  WISPRO_API_URL: z.preprocess(
    blankToUndefined,
    httpUrl.default("https://www.cloud.wispro.co/api/v1"),
  ),
  WISPRO_API_TOKEN: optionalString,
  WISPRO_DEFAULT_NATIONALITY: z.preprocess(
    (v) => (typeof v === "string" ? blankToUndefined(v.toUpperCase()) : v),
    z.enum(["V", "E", "J", "G", "P"], { error: "must be one of V, E, J, G, P" }).default("V"),
  ),
  WISPRO_PER_PAGE: integer(DEFAULT_PER_PAGE, 1, 1000),
  WISPRO_CONCURRENCY: integer(DEFAULT_CONCURRENCY, 1, 16),
  WISPRO_TIMEOUT_SECONDS: integer(DEFAULT_TIMEOUT_MS / 1000, 1, 600),
  PUSHER_APP_KEY: optionalString,
  PUSHER_APP_CLUSTER: z.preprocess(blankToUndefined, z.string().trim().default("mt1")),
  /** Set for a self-hosted Pusher-protocol server (soketi, the devstack); otherwise Pusher's cluster host. */
  PUSHER_HOST: optionalString,
  PUSHER_PORT: z.preprocess(
    blankToUndefined,
    z.coerce.number({ error: "must be a number" }).int().min(1).max(65535).optional(),
  ),
  PUSHER_USE_TLS: boolean(true),
  PUENTE_LOG_DIR: optionalString,
  PUENTE_STATE_DIR: optionalString,
  PUENTE_BATCH_PLANILLAS: integer(50, 1, 500),
  // At most 20,000: a batch is one ingest_planillas call, which must finish within hosted Supabase's
  // 8 s statement_timeout; 100,000 did not on a busy 2-core machine (bench/db/timeouts.ts).
  PUENTE_BATCH_ELEMENTOS: integer(5000, 100, 20_000),
  PUENTE_MAX_IN_FLIGHT: integer(3, 1, MAX_IN_FLIGHT_LIMIT),
  PUENTE_HEARTBEAT_SECONDS: integer(15, 1, 3600),
  /** The claim fallback besides the doorbell; also how late a due schedule (kept in the database) can start. */
  PUENTE_CLAIM_INTERVAL_SECONDS: integer(30, 5, 3600),
  PUENTE_REQUEST_TIMEOUT_SECONDS: integer(DEFAULT_REQUEST_TIMEOUT_MS / 1000, 1, 600),
  PUENTE_RETRY_LIMIT: integer(DEFAULT_RETRY.limit, 0, 50),
  /** How long a run waits through an API outage before it fails (sink/outage.ts); at least 30 min. */
  PUENTE_OUTAGE_WAIT_SECONDS: integer(DEFAULT_OUTAGE_BUDGET_MS / 1000, 1, 86_400),
  /** The office's proxy for HTTPS and the Pusher WebSocket; else HTTPS_PROXY / HTTP_PROXY (proxy.ts). */
  PUENTE_PROXY: z.preprocess(
    blankToUndefined,
    z.url({ protocol: /^https?$/, error: "must be an http(s) URL, e.g. http://proxy:3128" })
      .optional(),
  ),
});

export interface AgentConfig {
  api: { url: string; agentKey: string; agentId: string | null; agentName: string | null };
  /** Null when FERRAWIN_HOST is not set: FerraWin syncs are then refused with a clear message. */
  ferrawin: FerrawinSourceOptions | null;
  /** Null when WISPRO_API_TOKEN is not set. */
  wispro: WisproSourceOptions | null;
  /** Null when PUSHER_APP_KEY is not set: the daemon then only polls for commands. */
  pusher: {
    key: string;
    cluster: string;
    host: string | null;
    port: number | null;
    useTLS: boolean;
  } | null;
  logDir: string;
  stateDir: string;
  batch: { planillas: number; elementos: number; maxInFlight: number };
  intervals: { heartbeatMs: number; claimMs: number; progressMs: number };
  http: { timeoutMs: number; retryLimit: number; outageWaitMs: number };
  /** The proxy every outbound connection goes through, or null (proxy.ts). */
  proxy: string | null;
  /** Hosts reached directly, not through the proxy (NO_PROXY / no_proxy). */
  noProxy: string[];
  /** The .env file that was read, if any. */
  envFile: string | null;
  /** Secret values, for `redact`. */
  secrets: string[];
}

/** True when running as the compiled `puente-agent` executable rather than `bun agent/src/main.ts`. */
export function isCompiled(execPath = process.execPath): boolean {
  return !/^bun(\.exe)?$/i.test(basename(execPath));
}

/** Where the agent keeps logs and state by default: next to the executable, or the current folder. */
export function defaultHomeDir(): string {
  return isCompiled() ? dirname(process.execPath) : process.cwd();
}

/** The .env file to read: the explicit one, else `./.env`, else `.env` next to the executable. */
export function findEnvFile(explicit?: string): string | null {
  if (explicit) return resolve(explicit);
  const candidates = [join(process.cwd(), ".env"), join(defaultHomeDir(), ".env")];
  return candidates.find((p) => existsSync(p)) ?? null;
}

/**
 * Builds the configuration from `env` (process.env by default) over the .env file's values.
 * Throws `ConfigInvalid` listing every variable that is missing or wrong.
 */
export function loadConfig(
  options: { env?: Record<string, string | undefined>; envFile?: string | null } = {},
): AgentConfig {
  const envFile = options.envFile === undefined ? findEnvFile() : options.envFile;
  let fileValues: Record<string, string> = {};
  if (envFile) {
    if (!existsSync(envFile)) {
      throw new ConfigInvalid([`the .env file ${envFile} does not exist`]);
    }
    fileValues = parseDotenv(readFileSync(envFile, "utf8"));
  }
  const merged: Record<string, string | undefined> = { ...fileValues };
  for (const [key, value] of Object.entries(options.env ?? process.env)) {
    if (value !== undefined && value !== "") merged[key] = value;
  }
  const parsed = EnvSchema.safeParse(merged);
  if (!parsed.success) {
    const secrets = SECRET_VARIABLES.map((name) => merged[name]).filter(isSecretValue);
    throw new ConfigInvalid(parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "(config)");
      const message = issue.code === "invalid_type" && merged[name] === undefined
        ? "is required"
        : issue.message;
      return redact(`${name} ${message}`, secrets);
    }));
  }
  const env = parsed.data;
  const problems: string[] = [];
  if (env.FERRAWIN_HOST && (!env.FERRAWIN_USERNAME || env.FERRAWIN_PASSWORD === undefined)) {
    problems.push("FERRAWIN_USERNAME and FERRAWIN_PASSWORD are required when FERRAWIN_HOST is set");
  }
  const ferrawinServer = env.FERRAWIN_HOST ? ferrawinServerOf(env, problems) : null;
  if (env.PUSHER_HOST && !env.PUSHER_APP_KEY) {
    problems.push("PUSHER_APP_KEY is required when PUSHER_HOST is set");
  }
  if (problems.length) throw new ConfigInvalid(problems);

  const home = defaultHomeDir();
  const secrets = [env.PUENTE_AGENT_KEY, env.FERRAWIN_PASSWORD, env.WISPRO_API_TOKEN].filter(
    isSecretValue,
  );
  return {
    api: {
      url: env.PUENTE_API_URL,
      agentKey: env.PUENTE_AGENT_KEY,
      agentId: env.PUENTE_AGENT_ID ?? null,
      agentName: env.PUENTE_AGENT_NAME ?? null,
    },
    ferrawin: ferrawinServer
      ? {
        ...ferrawinServer,
        database: env.FERRAWIN_DATABASE,
        password: env.FERRAWIN_PASSWORD!,
        encrypt: env.FERRAWIN_ENCRYPT,
        // Without encryption only the login packet is encrypted, and never verified, as before.
        trustServerCertificate: env.FERRAWIN_TRUST_SERVER_CERTIFICATE ?? !env.FERRAWIN_ENCRYPT,
        tlsMinVersion: env.FERRAWIN_TLS_MIN_VERSION ?? null,
        caFile: env.FERRAWIN_CA_FILE ?? null,
      }
      : null,
    wispro: env.WISPRO_API_TOKEN
      ? {
        baseUrl: env.WISPRO_API_URL,
        token: env.WISPRO_API_TOKEN,
        defaultNationality: env.WISPRO_DEFAULT_NATIONALITY,
        perPage: env.WISPRO_PER_PAGE,
        concurrency: env.WISPRO_CONCURRENCY,
        timeoutMs: env.WISPRO_TIMEOUT_SECONDS * 1000,
        proxy: proxyFrom(env.PUENTE_PROXY, options.env ?? process.env),
        noProxy: noProxyFrom(options.env ?? process.env),
      }
      : null,
    pusher: env.PUSHER_APP_KEY
      ? {
        key: env.PUSHER_APP_KEY,
        cluster: env.PUSHER_APP_CLUSTER,
        host: env.PUSHER_HOST ?? null,
        port: env.PUSHER_PORT ?? null,
        useTLS: env.PUSHER_USE_TLS,
      }
      : null,
    logDir: resolve(env.PUENTE_LOG_DIR ?? join(home, "logs")),
    stateDir: resolve(env.PUENTE_STATE_DIR ?? join(home, "state")),
    batch: {
      planillas: env.PUENTE_BATCH_PLANILLAS,
      elementos: env.PUENTE_BATCH_ELEMENTOS,
      maxInFlight: env.PUENTE_MAX_IN_FLIGHT,
    },
    intervals: {
      heartbeatMs: env.PUENTE_HEARTBEAT_SECONDS * 1000,
      claimMs: env.PUENTE_CLAIM_INTERVAL_SECONDS * 1000,
      progressMs: 1000,
    },
    http: {
      timeoutMs: env.PUENTE_REQUEST_TIMEOUT_SECONDS * 1000,
      retryLimit: env.PUENTE_RETRY_LIMIT,
      outageWaitMs: env.PUENTE_OUTAGE_WAIT_SECONDS * 1000,
    },
    proxy: proxyFrom(env.PUENTE_PROXY, options.env ?? process.env),
    noProxy: noProxyFrom(options.env ?? process.env),
    envFile,
    secrets,
  };
}

const isSecretValue = (value: string | undefined): value is string =>
  typeof value === "string" && value.length >= 4;

/** Replaces every secret value in `text` with `***`, so it can go to a log, an error or the panel. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= 4) out = out.split(secret).join("***");
  }
  return out;
}

/**
 * Where and as whom FerraWin is reached: `HOST\\INSTANCE` (or FERRAWIN_INSTANCE) names an instance whose
 * port SQL Browser gives unless FERRAWIN_PORT is set, as SQL Server's own clients do; an NTLM login
 * takes its domain from FERRAWIN_DOMAIN or from a `DOMAIN\\user` username.
 */
function ferrawinServerOf(
  env: z.infer<typeof EnvSchema>,
  problems: string[],
): Pick<
  FerrawinSourceOptions,
  "host" | "port" | "instanceName" | "authentication" | "domain" | "username"
> {
  const [host, ...instanceParts] = env.FERRAWIN_HOST!.split("\\");
  const hostInstance = instanceParts.join("\\").trim() || null;
  if (instanceParts.length > 1 || host!.trim() === "") {
    problems.push("FERRAWIN_HOST must be HOST or HOST\\INSTANCE");
  }
  if (
    hostInstance && env.FERRAWIN_INSTANCE &&
    hostInstance.toUpperCase() !== env.FERRAWIN_INSTANCE.toUpperCase()
  ) {
    problems.push(
      `FERRAWIN_HOST names instance ${hostInstance} but FERRAWIN_INSTANCE is ${env.FERRAWIN_INSTANCE}`,
    );
  }
  const instanceName = hostInstance ?? env.FERRAWIN_INSTANCE ?? null;
  let username = env.FERRAWIN_USERNAME ?? "";
  let domain = env.FERRAWIN_DOMAIN ?? null;
  if (env.FERRAWIN_AUTH === "ntlm") {
    const slash = username.indexOf("\\");
    if (slash > 0) {
      domain ??= username.slice(0, slash);
      username = username.slice(slash + 1);
    }
    if (!domain) {
      problems.push("FERRAWIN_DOMAIN is required when FERRAWIN_AUTH=ntlm (or use DOMAIN\\user)");
    }
  }
  if (env.FERRAWIN_CA_FILE && !existsSync(env.FERRAWIN_CA_FILE)) {
    problems.push(`FERRAWIN_CA_FILE ${env.FERRAWIN_CA_FILE} does not exist`);
  }
  return {
    host: host!.trim(),
    port: env.FERRAWIN_PORT ?? (instanceName ? null : 1433),
    instanceName,
    authentication: env.FERRAWIN_AUTH,
    // NetBIOS domain names are case-insensitive; NTLMv2 hashes the domain as sent, so send it as Windows does.
    domain: domain ? domain.toUpperCase() : null,
    username,
  };
}

/** `HOST\\INSTANCE` or `HOST:PORT`, as people name a SQL Server. */
export function ferrawinEndpoint(ferrawin: FerrawinSourceOptions): string {
  const instance = ferrawin.instanceName ? `\\${ferrawin.instanceName}` : "";
  return `${ferrawin.host}${instance}${ferrawin.port ? `:${ferrawin.port}` : ""}`;
}

/** The configuration as `status` and `doctor` print it: every secret masked. */
export function describeConfig(config: AgentConfig): Record<string, string> {
  return {
    "API": config.api.url,
    "Agent key": mask(config.api.agentKey),
    "Agent id": config.api.agentId ?? "(not set: PUENTE_AGENT_ID)",
    "FerraWin": config.ferrawin
      ? `${
        config.ferrawin.domain ? `${config.ferrawin.domain}\\` : ""
      }${config.ferrawin.username}@${ferrawinEndpoint(config.ferrawin)}/${config.ferrawin.database}`
      : "(not configured)",
    "Wispro": config.wispro ? config.wispro.baseUrl : "(not configured)",
    "Pusher": config.pusher
      ? config.pusher.host
        ? `${config.pusher.useTLS ? "wss" : "ws"}://${config.pusher.host}:${
          config.pusher.port ?? ""
        }`
        : `cluster ${config.pusher.cluster}`
      : "(not configured: commands are polled)",
    "Logs": config.logDir,
    "State": config.stateDir,
    ".env": config.envFile ?? "(none)",
    "Proxy": config.proxy ?? "(none)",
  };
}

/** `abcd…wxyz` for long secrets, `***` for short ones. */
export function mask(secret: string): string {
  return secret.length >= 16 ? `${secret.slice(0, 4)}…${secret.slice(-2)}` : "***";
}

/** Where a variable's effective value came from. */
export type VariableSource = "environment" | ".env" | "default" | "not set";

/**
 * Every variable the agent reads, with the value it will use and where that value came from (the
 * environment wins over the .env file, as in `loadConfig`), secrets masked: what `puente-agent config`
 * prints, so an admin sees what the service will use.
 */
export function describeVariables(
  options: { env?: Record<string, string | undefined>; envFile?: string | null } = {},
): {
  envFile: string | null;
  variables: { name: string; value: string; source: VariableSource }[];
} {
  const envFile = options.envFile === undefined ? findEnvFile() : options.envFile;
  const fileValues = envFile && existsSync(envFile)
    ? parseDotenv(readFileSync(envFile, "utf8"))
    : {};
  const env = options.env ?? process.env;
  const defaultOf = (name: string) => {
    const parsed = (EnvSchema.shape as Record<string, z.ZodType>)[name]!.safeParse(undefined);
    return parsed.success ? parsed.data : undefined;
  };
  const variables = Object.keys(EnvSchema.shape).map((name) => {
    const fromEnv = env[name];
    const source: VariableSource = fromEnv !== undefined && fromEnv !== ""
      ? "environment"
      : fileValues[name] !== undefined
      ? ".env"
      : "default";
    const raw = source === "environment"
      ? fromEnv!
      : source === ".env"
      ? fileValues[name]!
      : defaultOf(name);
    const value = raw === undefined || raw === "" ? "" : String(raw);
    const isSecret = (SECRET_VARIABLES as readonly string[]).includes(name);
    return {
      name,
      value: isSecret && value ? mask(value) : value,
      source: source === "default" && value === "" ? "not set" as const : source,
    };
  });
  return { envFile, variables };
}
