// Shared by the whole-system tests: one devstack per test file, HTTP helpers, table checksums that
// prove a refused request wrote nothing, the FerraWin source and a web-side Pusher client.
import { afterAll, beforeAll } from "bun:test";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import Pusher, { type Channel } from "pusher-js";
import type { EntityCounts } from "@puente/protocol";
import { createFerrawinSource } from "../../agent/src/sources/ferrawin/index.ts";
import {
  type ReadyInfo,
  type Stack,
  type StackOptions,
  startStack,
} from "../../devstack/src/stack.ts";

export type { ReadyInfo, Stack, StackOptions };

export async function bootStack(options: StackOptions = {}): Promise<Stack> {
  return await startStack({ planillas: 20, wisproClients: 50, ...options });
}

/**
 * One stack for the enclosing scope, booted with `options()` before its tests (`ready` keeps it and sets
 * up the rest) and stopped after them.
 */
export function useStack(
  options: () => StackOptions,
  ready: (stack: Stack) => void | Promise<void>,
): void {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await bootStack(options());
    await ready(stack);
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });
}

export function supabaseFor(info: ReadyInfo): SupabaseClient {
  return createClient(info.supabaseUrl, info.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
}

/** Signs in through the gateway's GoTrue endpoint and returns the access token. */
export async function signIn(info: ReadyInfo, who: "admin" | "staff"): Promise<string> {
  const client = supabaseFor(info);
  const { data, error } = await client.auth.signInWithPassword(info.users[who]);
  if (error || !data.session) throw new Error(`sign-in as ${who} failed: ${error?.message}`);
  return data.session.access_token;
}

export interface ApiAnswer {
  status: number;
  // Answers are asserted field by field in the tests; typing every route's reply here would restate the protocol.
  // deno-lint-ignore no-explicit-any
  body: any;
  headers: Headers;
}

/** Calls the edge function through the gateway, as the web or the agent would. */
export async function callEdge(
  info: ReadyInfo,
  path: string,
  init: {
    token?: string;
    agentKey?: string;
    body?: unknown;
    raw?: BodyInit;
    headers?: Record<string, string>;
    method?: string;
  } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { apikey: info.anonKey, ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.agentKey) headers.authorization = `Bearer ${init.agentKey}`;
  let body: BodyInit | undefined = init.raw;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(`${info.functionsUrl}${path}`, {
    method: init.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** An md5 of every row of every table in the public schema (and auth.users), for before/after comparisons. */
export async function tableChecksums(dbUrl: string): Promise<Record<string, string>> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const tables = await sql<{ name: string }[]>`
      select format('%I.%I', schemaname, tablename) as name from pg_tables
      where schemaname = 'public' or (schemaname = 'auth' and tablename = 'users')
      order by 1`;
    const sums: Record<string, string> = {};
    for (const { name } of tables) {
      const [row] = await sql.unsafe(
        `select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as sum from ${name} t`,
      );
      sums[name] = String(row?.sum);
    }
    return sums;
  } finally {
    await sql.end();
  }
}

export const uuid = () => crypto.randomUUID();

/** How a run ended, in the shape `puente-agent sync --json` prints. */
export interface SyncOutcome {
  runId: string;
  status: string;
  done: number;
  total: number | null;
  error?: { code: string; message: string } | null;
  counts: Record<string, EntityCounts>;
}

/** The FerraWin source on the stack's SQL Server stand-in, read independently of the agent's runner. */
export function ferrawinSourceFor(info: ReadyInfo) {
  const { sqlserver } = info;
  return createFerrawinSource({
    host: sqlserver.host,
    port: sqlserver.port,
    database: sqlserver.database,
    username: sqlserver.user,
    password: sqlserver.password,
    encrypt: false,
    trustServerCertificate: true,
  });
}

/** Every item the FerraWin source yields for `all` (read as `ferrawinSourceFor` does); closes it after. */
export async function* ferrawinItemsAll(info: ReadyInfo) {
  const source = ferrawinSourceFor(info);
  try {
    yield* source.extract({ mode: "all" }, {
      cursor: null,
      signal: new AbortController().signal,
      log: () => {},
    });
  } finally {
    await source.close();
  }
}

/** What a command that ran to its end printed, and its exit code. */
export interface Finished {
  out: string;
  err: string;
  code: number;
}

/** Runs a command to its end with its stdout and stderr piped (as `Bun.spawn` takes `cmd`, `cwd`, `env`). */
export async function runToEnd(
  options: { cmd: string[]; cwd?: string; env?: Record<string, string | undefined> },
): Promise<Finished> {
  const child = Bun.spawn({ ...options, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { out, err, code };
}

/** The outcome a `… sync <source> --json` printed; a non-zero exit throws `<label> exited <code>: <stderr>`. */
export async function syncOutcome(
  options: { cmd: string[]; cwd?: string; env?: Record<string, string | undefined> },
  label = "sync",
): Promise<SyncOutcome> {
  const { out, err, code } = await runToEnd(options);
  if (code !== 0) throw new Error(`${label} exited ${code}: ${err.slice(-2000)}`);
  return JSON.parse(out.slice(out.indexOf("{"))) as SyncOutcome;
}

/**
 * A web-side pusher-js client that authorizes through the edge's /pusher/auth, as the panel does:
 * with `token` (none: anonymous), or with the signature `forge` makes up instead of asking.
 */
export function webClient(
  info: ReadyInfo,
  token: string | null,
  forge?: (socketId: string, channel: string) => string,
): Pusher {
  return new Pusher(info.pusher.key, {
    cluster: "mt1",
    wsHost: info.pusher.host,
    wsPort: info.pusher.port,
    forceTLS: false,
    enabledTransports: ["ws"],
    channelAuthorization: {
      endpoint: `${info.functionsUrl}/pusher/auth`,
      transport: "ajax",
      customHandler: ({ socketId, channelName }, callback) => {
        if (forge) return callback(null, { auth: forge(socketId, channelName) });
        const headers: Record<string, string> = {
          apikey: info.anonKey,
          "content-type": "application/x-www-form-urlencoded",
        };
        if (token) headers.authorization = `Bearer ${token}`;
        fetch(`${info.functionsUrl}/pusher/auth`, {
          method: "POST",
          headers,
          body: new URLSearchParams({ socket_id: socketId, channel_name: channelName }),
        }).then(async (response) => {
          if (!response.ok) {
            callback(new Error(`/pusher/auth answered ${response.status}`), null);
          } else callback(null, await response.json());
        }).catch((error: Error) => callback(error, null));
      },
    },
  });
}

/** Resolves once `channel` is subscribed; rejects on a subscription error or after `ms`. */
export function subscribed(channel: Channel, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no subscription to ${channel.name}`)), ms);
    channel.bind("pusher:subscription_succeeded", () => {
      clearTimeout(timer);
      resolve();
    });
    channel.bind("pusher:subscription_error", (error: unknown) => {
      clearTimeout(timer);
      reject(new Error(`subscription to ${channel.name} failed: ${JSON.stringify(error)}`));
    });
  });
}

/** A small valid planilla in the batch shape (protocol `Planilla`). */
export function samplePlanilla(code: string, elementos = 3) {
  const zconta = Number(code.slice(0, 4));
  return {
    codigo: code,
    zconta,
    descripcion: `Planilla ${code}`,
    seccion: "Losa",
    ensamblado: null,
    obra: {
      codigo: "12",
      nombre: "Torre Norte",
      cliente: { codigo: "7", nombre: "Construcciones Acme" },
    },
    fecha_creacion: "2025-03-01T08:00:00Z",
    fecha_calculo: "2025-03-02T09:30:00Z",
    peso_total_kg: elementos * 2.5,
    fingerprint: `${elementos}:abc:2025-03-02T09:30:00`,
    elementos: Array.from({ length: elementos }, (_, i) => ({
      ferrawin_id: `1-${i + 1}`,
      fila: i + 1,
      marca: `M${i + 1}`,
      descripcion_fila: "Viga",
      diametro_mm: 12,
      figura: "345\t90d\t200",
      longitud_mm: 545,
      dobleces: 1,
      barras: 4,
      peso_kg: 2.5,
      dimensiones: null,
      etiqueta: null,
    })),
    entidades: [],
  };
}

/** Polls `predicate` every 25 ms until it holds; on timeout the error carries the tail of `context()`. */
export async function until(
  label: string,
  predicate: () => boolean | Promise<boolean>,
  ms: number,
  context: () => string = () => "",
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${label}\n${context().slice(-4000)}`);
    }
    await Bun.sleep(25);
  }
}
