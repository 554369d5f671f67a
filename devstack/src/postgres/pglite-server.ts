// Serves one PGlite database over PostgreSQL's wire protocol (v3) on a TCP port, for the devstack
// machines that have no PostgreSQL binaries. PGlite is one backend session, so connections take turns:
// a connection holds the session from its first message until the backend is idle again
// (ReadyForQuery 'I'), which keeps each transaction and each extended-protocol cycle
// (Parse … Sync) whole. Known differences from a real server: session-level state (a plain SET, a
// temporary table) is shared by all connections, statements run one at a time, and the user and
// database named at start-up are not checked (PGlite has one of each).
import { createServer, type Server, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
/** ReadyForQuery with status idle: 'Z', length 5, 'I'. */
const IDLE = [0x5a, 0, 0, 0, 5, 0x49];
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);
/** CopyFail with an empty message: ends the probe of a COPY without touching the table. */
const COPY_FAIL = new Uint8Array([0x66, 0, 0, 0, 5, 0]);

/** One at a time: the connection that holds PGlite's session, and those waiting for it. */
class SessionTurns {
  #holder: number | null = null;
  #waiting: { id: number; grant: () => void; refuse: (e: Error) => void }[] = [];

  holder(): number | null {
    return this.#holder;
  }

  async take(id: number): Promise<void> {
    if (this.#holder === id) return;
    if (this.#holder === null) {
      this.#holder = id;
      return;
    }
    await new Promise<void>((grant, refuse) => this.#waiting.push({ id, grant, refuse }));
  }

  release(id: number): void {
    if (this.#holder !== id) return;
    const next = this.#waiting.shift();
    this.#holder = next?.id ?? null;
    next?.grant();
  }

  /** A closed connection stops waiting. */
  forget(id: number): void {
    this.#waiting = this.#waiting.filter((w) => {
      if (w.id !== id) return true;
      w.refuse(new Error("connection closed"));
      return false;
    });
  }
}

const encoder = new TextEncoder();

/** Reads the NUL-terminated string at `at`; returns it and the offset after its NUL. */
function cString(bytes: Uint8Array, at: number): [Uint8Array, number] {
  const end = bytes.indexOf(0, at);
  return [bytes.subarray(at, end), end + 1];
}

/**
 * Prepared statements and portals belong to a session, and here every connection shares PGlite's
 * one session, so each connection's names get its own prefix: Parse, Bind, Describe, Close and
 * Execute are rewritten (the unnamed statement and portal stay unnamed; a turn keeps them whole).
 */
export function namespaceNames(message: Uint8Array, prefix: string): Uint8Array {
  const type = message[0];
  const body = 5;
  const names: number[] = []; // offsets of the names to prefix
  if (type === 0x50 || type === 0x45) names.push(body); // 'P' statement, 'E' portal
  else if (type === 0x42) { // 'B': portal, then statement
    names.push(body, cString(message, body)[1]);
  } else if (type === 0x44 || type === 0x43) names.push(body + 1); // 'D'/'C': kind byte, then name
  if (!names.length) return message;
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const at of names) {
    if (message[at] === 0) continue; // unnamed
    parts.push(message.subarray(from, at), encoder.encode(prefix));
    from = at;
  }
  if (!parts.length) return message;
  parts.push(message.subarray(from));
  const out = concat(parts);
  new DataView(out.buffer).setInt32(1, out.length - 1);
  return out;
}

/** `copy … from stdin` as a simple query: PGlite reads its CopyData from the same input, not later. */
const COPY_FROM_STDIN = /^\s*copy\s[\s\S]*?\sfrom\s+stdin\b/i;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The run-time parameters a start-up message asks for (search_path, application_name, …) and its user. */
export function startupParameters(
  message: Uint8Array,
): { user: string; settings: Map<string, string> } {
  const decoder = new TextDecoder();
  const settings = new Map<string, string>();
  let user = "postgres";
  let at = 8;
  while (at < message.length && message[at] !== 0) {
    const [name, afterName] = cString(message, at);
    const [value, afterValue] = cString(message, afterName);
    const key = decoder.decode(name);
    const text = decoder.decode(value);
    if (key === "user") user = text;
    else if (
      !["database", "replication", "options"].includes(key) && /^[a-z_][a-z0-9_.]*$/i.test(key)
    ) {
      settings.set(key, text);
    }
    at = afterValue;
  }
  return { user, settings };
}

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

const endsIdle = (tail: number[]) =>
  tail.length === IDLE.length && tail.every((byte, i) => byte === IDLE[i]);

/** True when the bytes end with a ReadyForQuery, whatever its transaction status. */
const endsReady = (tail: number[]): boolean =>
  tail.length === IDLE.length && tail.slice(0, 5).every((byte, i) => byte === IDLE[i]);

/** The ErrorResponse (SQLSTATE XX000) for a cycle PGlite left unanswered. */
const LOST_ERROR = (() => {
  const fields = [
    "SERROR",
    "VERROR",
    "CXX000",
    "MPGlite's backend stopped answering (it returned no ReadyForQuery); this statement did not " +
    "complete and none will: restart the devstack",
  ].map((field) => new TextEncoder().encode(`${field}\0`));
  const body = concat([...fields, new Uint8Array([0])]);
  const error = new Uint8Array(5 + body.length);
  error[0] = 0x45; // 'E'
  new DataView(error.buffer).setInt32(1, 4 + body.length);
  error.set(body, 5);
  return error;
})();

/** ReadyForQuery, idle: how a lost cycle ends (PGlite's transaction state is unknown by then). */
const READY_IDLE = Uint8Array.from(IDLE);

export interface PgliteServer {
  port: number;
  close(): Promise<void>;
}

export async function servePglite(
  db: PGlite,
  options: { host?: string; port?: number } = {},
): Promise<PgliteServer> {
  const turns = new SessionTurns();
  /** Each connection's start-up user and parameters, and those the session holds now. */
  const sessions = new Map<number, { user: string; settings: Map<string, string> }>();
  let applied: { user: string; settings: Map<string, string> } = {
    user: "postgres",
    settings: new Map(),
  };

  /**
   * Gives the session the user and parameters of the connection whose turn it is: on a server each
   * connection has its own; here they are re-applied whenever the turn passes between connections
   * that asked for different ones (always between transactions, as turns pass only when idle).
   */
  async function applySession(id: number): Promise<void> {
    const wanted = sessions.get(id);
    if (!wanted || wanted === applied) return;
    const statements: string[] = [];
    if (wanted.user !== applied.user) {
      statements.push(
        wanted.user === "postgres"
          ? "reset session authorization"
          : `set session authorization ${literal(wanted.user)}`,
      );
    }
    for (const name of applied.settings.keys()) {
      if (!wanted.settings.has(name)) statements.push(`reset ${name}`);
    }
    for (const [name, value] of wanted.settings) {
      if (applied.settings.get(name) !== value) {
        statements.push(`select set_config(${literal(name)}, ${literal(value)}, false)`);
      }
    }
    if (statements.length) await db.exec(statements.join(";\n"));
    applied = wanted;
  }
  let nextId = 1;
  const sockets = new Set<Socket>();
  /** Set once PGlite's backend has left a cycle without ReadyForQuery: it never answers again. */
  let lost = false;
  /** Connections told about it in their current cycle, skipping messages until their Sync. */
  const errored = new WeakSet<Socket>();

  /**
   * Runs one client message in the session, streaming the answer; true when the backend is idle.
   * A Query or Sync always ends in ReadyForQuery on a server. When PGlite's answer to one does not (its
   * backend is lost: seen after a call into a missing encoding-conversion module), that client and every
   * later one get an ErrorResponse and ReadyForQuery instead of waiting forever.
   */
  async function execute(socket: Socket, message: Uint8Array): Promise<boolean> {
    const endsCycle = message[0] === 0x51 || message[0] === 0x53; // 'Q' Query, 'S' Sync
    if (lost) {
      // As a backend does after an error: the error at once, then every message skipped up to the Sync.
      const parts: Uint8Array[] = [];
      if (!errored.has(socket)) parts.push(LOST_ERROR);
      if (endsCycle) {
        parts.push(READY_IDLE);
        errored.delete(socket);
      } else {
        errored.add(socket);
      }
      if (!socket.destroyed && parts.length) socket.write(concat(parts));
      return endsCycle;
    }
    const tail: number[] = [];
    await db.runExclusive(() =>
      db.execProtocolRawStream(message, {
        onRawData: (data) => {
          if (!socket.destroyed) socket.write(data);
          for (let i = Math.max(0, data.length - IDLE.length); i < data.length; i++) {
            tail.push(data[i]!);
          }
          tail.splice(0, Math.max(0, tail.length - IDLE.length));
        },
      })
    );
    if (endsCycle && !endsReady(tail)) {
      // PGlite answers nothing after this, to any connection: say so once, and fail each cycle fast.
      lost = true;
      console.error(
        "[pglite] the backend stopped answering (no ReadyForQuery); every further statement fails",
      );
      if (!socket.destroyed) socket.write(concat([LOST_ERROR, READY_IDLE]));
      return true;
    }
    return endsIdle(tail);
  }

  /**
   * A whole COPY FROM STDIN (the query, its CopyData, CopyDone or CopyFail) in one call, since PGlite
   * reads the data from the same input; the client already had its CopyInResponse, so PGlite's is dropped.
   */
  async function probeCopy(query: Uint8Array): Promise<Uint8Array> {
    const inTransaction = db.isInTransaction();
    if (inTransaction) await db.exec("savepoint pglite_copy_probe");
    const out = await db.runExclusive(() => db.execProtocolRaw(concat([query, COPY_FAIL])));
    if (inTransaction) {
      await db.exec("rollback to savepoint pglite_copy_probe; release savepoint pglite_copy_probe");
    }
    return out;
  }

  async function executeCopy(socket: Socket, messages: Uint8Array[]): Promise<boolean> {
    const out = await db.runExclusive(() => db.execProtocolRaw(concat(messages)));
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    const skip = out[0] === 0x47 ? 1 + view.getInt32(1) : 0;
    if (!socket.destroyed) socket.write(out.subarray(skip));
    return endsIdle([...out.subarray(Math.max(0, out.length - IDLE.length))]);
  }

  /** Leaves the session clean when its holder goes away mid-cycle or mid-transaction. */
  async function abandon(id: number): Promise<void> {
    turns.forget(id);
    if (turns.holder() !== id) return;
    try {
      await db.runExclusive(() => db.execProtocolRaw(SYNC));
      if (db.isInTransaction()) await db.exec("rollback");
    } finally {
      turns.release(id);
    }
  }

  function handle(socket: Socket): void {
    const id = nextId++;
    sockets.add(socket);
    let buffer = new Uint8Array(0);
    let started = false;
    let chain = Promise.resolve();
    let closed = false;
    /** The COPY FROM STDIN under way: its query and the CopyData so far. */
    let copying: Uint8Array[] | null = null;
    const close = () => {
      if (closed) return;
      closed = true;
      sessions.delete(id);
      sockets.delete(socket);
      socket.destroy();
      chain = chain.then(() => abandon(id)).catch(() => {});
    };

    /** The next whole message in the buffer, or null. */
    function nextMessage(): { kind: "startup" | "typed"; bytes: Uint8Array } | null {
      const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      if (!started) {
        if (buffer.length < 8) return null;
        const length = view.getInt32(0);
        if (buffer.length < length) return null;
        return { kind: "startup", bytes: buffer.slice(0, length) };
      }
      if (buffer.length < 5) return null;
      const length = 1 + view.getInt32(1);
      if (buffer.length < length) return null;
      return { kind: "typed", bytes: buffer.slice(0, length) };
    }

    async function runMessage(message: { kind: "startup" | "typed"; bytes: Uint8Array }) {
      const view = new DataView(message.bytes.buffer, message.bytes.byteOffset);
      if (message.kind === "startup") {
        const code = view.getInt32(4);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          socket.write("N"); // no encryption on loopback, as a local server without ssl=on answers
          return;
        }
        if (code === CANCEL_REQUEST || code !== PROTOCOL_3) {
          close();
          return;
        }
        started = true;
        sessions.set(id, startupParameters(message.bytes));
      } else if (message.bytes[0] === 0x58) { // 'X' Terminate: the client is leaving
        close();
        return;
      }
      if (copying) {
        // CopyData is kept until CopyDone or CopyFail, without the session when the COPY is not in a
        // transaction, so that several connections can feed their COPYs at once, as on a server.
        const type = message.bytes[0];
        if (type === 0x64) copying.push(message.bytes); // 'd' CopyData
        if (type !== 0x63 && type !== 0x66) return; // until 'c' CopyDone or 'f' CopyFail
        const whole = [...copying, message.bytes];
        copying = null;
        await turns.take(id);
        if (closed) return turns.release(id);
        await applySession(id);
        if (await executeCopy(socket, whole)) turns.release(id);
        return;
      }
      if (message.kind === "typed" && [0x63, 0x64, 0x66].includes(message.bytes[0]!)) {
        // CopyDone, CopyData or CopyFail outside copy mode: PostgresMain accepts and ignores them
        // (postgres.js sends a CopyFail after its CopyDone).
        return;
      }
      await turns.take(id);
      if (closed) return turns.release(id);
      if (message.kind === "typed") await applySession(id);
      if (message.bytes[0] === 0x51) { // 'Q' simple query
        const query = new TextDecoder().decode(message.bytes.subarray(5, message.bytes.length - 1));
        if (COPY_FROM_STDIN.test(query)) {
          // Ask PGlite first, with an immediate CopyFail (inside a savepoint when in a transaction):
          // a COPY it would refuse is answered with its error, one it accepts with its CopyInResponse.
          const probe = await probeCopy(message.bytes).catch(() => null);
          if (probe && probe[0] === 0x47) {
            const view = new DataView(probe.buffer, probe.byteOffset, probe.byteLength);
            copying = [message.bytes];
            socket.write(probe.subarray(0, 1 + view.getInt32(1)));
            if (!db.isInTransaction()) turns.release(id);
            return;
          }
        }
      }
      const bytes = message.kind === "typed"
        ? namespaceNames(message.bytes, `c${id}_`)
        : message.bytes;
      const idle = await execute(socket, bytes);
      if (idle) turns.release(id);
    }

    socket.on("data", (data: Buffer) => {
      const joined = new Uint8Array(buffer.length + data.length);
      joined.set(buffer);
      joined.set(data, buffer.length);
      buffer = joined;
      for (let message = nextMessage(); message; message = nextMessage()) {
        buffer = buffer.slice(message.bytes.length);
        const taken = message;
        chain = chain.then(() => (closed ? undefined : runMessage(taken))).catch((error) => {
          console.error(`[pglite] connection ${id}:`, error);
          close();
        });
      }
    });
    socket.on("error", close);
    socket.on("close", close);
  }

  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
