// Shared by the security tests: who is calling (every kind of caller as headers), direct RPC calls
// through the gateway, minted tokens, a raw Pusher protocol-7 client, and a tally each file prints.
import { afterAll, beforeAll } from "bun:test";
import postgres from "postgres";
import { signJwt } from "../../devstack/src/gateway/jwt.ts";
import {
  type ApiAnswer,
  bootStack,
  callEdge,
  type ReadyInfo,
  signIn,
  type Stack,
  uuid,
} from "../integration/support.ts";

export {
  bootStack,
  callEdge,
  ferrawinSourceFor,
  samplePlanilla,
  signIn,
  supabaseFor,
  tableChecksums,
  uuid,
} from "../integration/support.ts";
export type { ReadyInfo, Stack } from "../integration/support.ts";

export interface AgentCredentials {
  agentId: string;
  key: string;
}

export interface RpcAnswer {
  status: number;
  // PostgREST answers any JSON; the tests read the fields they assert.
  // deno-lint-ignore no-explicit-any
  body: any;
}

/** `POST /rest/v1/rpc/<fn>` as supabase-js sends it: the anon apikey, and the caller's bearer if any. */
export async function callRpc(
  info: ReadyInfo,
  fn: string,
  args: Record<string, unknown>,
  bearer?: string,
): Promise<RpcAnswer> {
  const headers: Record<string, string> = {
    apikey: info.anonKey,
    "content-type": "application/json",
  };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const response = await fetch(`${info.supabaseUrl}/rest/v1/rpc/${fn}`, {
    method: "POST",
    headers,
    body: JSON.stringify(args),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body };
}

/** A FerraWin `pause` for the stack's agent, sent to the edge's /commands with `token` as the panel sends it. */
export function postPause(info: ReadyInfo, token: string): Promise<ApiAnswer> {
  return callEdge(info, "/commands", {
    token,
    body: {
      requestId: uuid(),
      agentId: info.agent.id,
      source: "ferrawin",
      action: "pause",
      params: {},
    },
  });
}

/** A new agent and its key, created by an admin through the RPC the panel uses. */
export async function createAgent(
  info: ReadyInfo,
  adminToken: string,
  name = `sec-${uuid().slice(0, 8)}`,
): Promise<AgentCredentials> {
  const answer = await callRpc(info, "create_agent", { p_name: name }, adminToken);
  if (answer.status !== 200) throw new Error(`create_agent: ${JSON.stringify(answer.body)}`);
  return answer.body as AgentCredentials;
}

/** Opens a run as the agent holding `agentKey` (through the edge, as the agent does); returns its id. */
export async function openRun(
  info: ReadyInfo,
  agentKey: string,
  source: string,
  params: Record<string, unknown>,
): Promise<string> {
  const answer = await callEdge(info, "/agent/runs", { agentKey, body: { source, params } });
  if (answer.status !== 201) throw new Error(`open_run: ${JSON.stringify(answer.body)}`);
  return answer.body.id as string;
}

/** A real account with no Puente role (created with the service key, as an operator would), signed in. */
export async function signInWithoutRole(info: ReadyInfo): Promise<string> {
  const email = `norole-${uuid().slice(0, 8)}@puente.local`;
  const password = `pw-${uuid()}`;
  const created = await fetch(`${info.supabaseUrl}/auth/v1/admin/users`, {
    method: "POST",
    headers: {
      apikey: info.serviceRoleKey,
      authorization: `Bearer ${info.serviceRoleKey}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ email, password, email_confirm: true, app_metadata: {} }),
  });
  if (!created.ok) throw new Error(`creating a role-less user: ${await created.text()}`);
  const token = await fetch(`${info.supabaseUrl}/auth/v1/token?grant_type=password`, {
    method: "POST",
    headers: { apikey: info.anonKey, "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const session = await token.json() as { access_token?: string };
  if (!session.access_token) {
    throw new Error(`role-less sign-in failed: ${JSON.stringify(session)}`);
  }
  return session.access_token;
}

/** A user access token as GoTrue would mint it, with the claims and key the test chooses. */
export function mintUserToken(
  secret: string,
  options: {
    role?: "admin" | "staff" | null;
    expiresInS?: number;
    userMetadata?: Record<string, unknown>;
  } = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({
    aud: "authenticated",
    role: "authenticated",
    sub: uuid(),
    iat: now - 10,
    exp: now + (options.expiresInS ?? 600),
    app_metadata: options.role ? { role: options.role } : {},
    user_metadata: options.userMetadata ?? {},
  }, secret);
}

/** Every caller of the matrix, as the headers `callEdge` takes. */
export type Caller = { token?: string; agentKey?: string };

export interface People {
  admin: string;
  staff: string;
  norole: string;
}

export async function signInEveryone(info: ReadyInfo): Promise<People> {
  const [admin, staff, norole] = await Promise.all([
    signIn(info, "admin"),
    signIn(info, "staff"),
    signInWithoutRole(info),
  ]);
  return { admin, staff, norole };
}

/** What a file does around the stack `useStackWithPeople` boots for it. */
export interface StackHooks {
  /** After the stack is up and everyone is signed in: the file keeps what it needs and sets up the rest. */
  ready: (stack: Stack, people: People) => Promise<void> | void;
  /** Before the stack stops: close whatever reads from it. */
  beforeStop?: () => Promise<void> | void;
}

/** The stack and the signed-in people `useStackWithPeople` fills in before the file's tests. */
export interface SignedInStack {
  stack: Stack;
  people: People;
}

/**
 * One stack for the whole file, booted and signed in before its tests and stopped after them. The
 * answer is filled in when the tests start; `hooks.ready` gets the same, to set up more.
 */
export function useStackWithPeople(hooks: Partial<StackHooks> = {}): SignedInStack {
  const booted = {} as SignedInStack;
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await bootStack();
    booted.stack = stack;
    booted.people = await signInEveryone(stack.info);
    await hooks.ready?.(booted.stack, booted.people);
  }, 120_000);
  afterAll(async () => {
    await hooks.beforeStop?.();
    await stack?.stop();
  });
  return booted;
}

/** Differences between two tableChecksums snapshots, as table names. */
export function changedTables(
  before: Record<string, string>,
  after: Record<string, string>,
): string[] {
  return Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]);
}

/**
 * tableChecksums' snapshot (every public table and auth.users) over one kept connection and one
 * statement, so hundreds of refused requests can each be checked for writes cheaply.
 */
export class DatabaseWatch {
  private constructor(private readonly sql: postgres.Sql, private readonly query: string) {}

  static async open(info: ReadyInfo): Promise<DatabaseWatch> {
    const sql = postgres(info.dbUrl, { max: 1, onnotice: () => {} });
    const tables = await sql<{ name: string }[]>`
      select format('%I.%I', schemaname, tablename) as name from pg_tables
      where schemaname = 'public' or (schemaname = 'auth' and tablename = 'users')
      order by 1`;
    const query = tables.map(({ name }) =>
      `select '${name}' as name, (select md5(coalesce(string_agg(t::text, '|' order by t::text), ''))
        from ${name} t) as sum`
    ).join(" union all ");
    return new DatabaseWatch(sql, query);
  }

  async checksums(): Promise<Record<string, string>> {
    const rows = await this.sql.unsafe<{ name: string; sum: string }[]>(this.query);
    return Object.fromEntries(rows.map((r) => [r.name, r.sum]));
  }

  /** Runs `action` and reports which tables changed meanwhile. */
  async changedBy(action: () => Promise<unknown>): Promise<string[]> {
    const before = await this.checksums();
    await action();
    return changedTables(before, await this.checksums());
  }

  async close(): Promise<void> {
    await this.sql.end();
  }
}

/** One SQL connection to the stack's database (as the migration owner), closed by the caller. */
export const connectDb = (info: ReadyInfo) => postgres(info.dbUrl, { max: 2, onnotice: () => {} });

/** A minimal Pusher protocol-7 client over a raw WebSocket, to try what pusher-js would never send. */
export class RawPusherClient {
  private readonly frames: { event: string; channel?: string; data?: unknown }[] = [];
  private waiters: (() => void)[] = [];
  socketId = "";

  /** Every frame received, read or not, as the raw text the server sent. */
  readonly received: string[] = [];

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener("message", (message) => {
      this.received.push(String(message.data));
      this.frames.push(JSON.parse(String(message.data)));
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async connect(info: ReadyInfo): Promise<RawPusherClient> {
    const client = new RawPusherClient(
      new WebSocket(
        `ws://${info.pusher.host}:${info.pusher.port}/app/${info.pusher.key}?protocol=7&client=js&version=8.4.0&flash=false`,
      ),
    );
    const established = await client.next(
      (f) => f.event === "pusher:connection_established",
      10_000,
    );
    if (!established) throw new Error("no pusher:connection_established");
    client.socketId = JSON.parse(String(established.data)).socket_id;
    return client;
  }

  send(event: string, data: unknown, channel?: string): void {
    this.socket.send(JSON.stringify({ event, data, ...(channel ? { channel } : {}) }));
  }

  /** The first unread frame that `match` accepts (consumed), or null after `ms`. */
  async next(
    match: (frame: { event: string; channel?: string; data?: unknown }) => boolean,
    ms = 5000,
  ): Promise<{ event: string; channel?: string; data?: unknown } | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.frames.find(match);
      if (found) {
        this.frames.splice(this.frames.indexOf(found), 1);
        return found;
      }
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Subscribes with the given auth and says whether the server accepted it. */
  async subscribe(channel: string, auth?: string, channelData?: string): Promise<boolean> {
    this.send("pusher:subscribe", {
      channel,
      ...(auth ? { auth } : {}),
      ...(channelData ? { channel_data: channelData } : {}),
    });
    const answer = await this.next((f) =>
      f.channel === channel &&
      (f.event === "pusher_internal:subscription_succeeded" ||
        f.event === "pusher:subscription_error")
    ) ?? await this.next((f) => f.event === "pusher:error", 500);
    return answer?.event === "pusher_internal:subscription_succeeded";
  }

  close(): void {
    this.socket.close();
  }
}

/** Asks the edge to sign a channel for `caller` on `socketId`; returns the status and the auth string. */
export async function channelAuth(
  info: ReadyInfo,
  caller: Caller,
  socketId: string,
  channel: string,
): Promise<{ status: number; auth?: string; channelData?: string }> {
  const headers: Record<string, string> = {
    apikey: info.anonKey,
    "content-type": "application/x-www-form-urlencoded",
  };
  const bearer = caller.token ?? caller.agentKey;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const response = await fetch(`${info.functionsUrl}/pusher/auth`, {
    method: "POST",
    headers,
    body: new URLSearchParams({ socket_id: socketId, channel_name: channel }),
  });
  const body = await response.json().catch(() => ({})) as { auth?: string; channel_data?: string };
  return { status: response.status, auth: body.auth, channelData: body.channel_data };
}
