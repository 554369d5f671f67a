// One client connection: the handshake, then requests answered one at a time through the executor,
// with ATTENTION read out of band, backpressure honoured and the fault hooks applied.

import type { Socket } from "node:net";
import type { EventEmitter } from "node:events";
import { ByteWriter } from "./byte-writer.ts";
import { type QueryResult, type SqlExecutor, SqlServerError } from "./executor.ts";
import {
  buildPreloginResponse,
  Encryption,
  type Login7,
  negotiateEncryption,
  parseLogin7,
  parsePrelogin,
  PreloginOption,
  type ServerVersion,
} from "./login.ts";
import {
  buildChallenge,
  NtlmMessageType,
  ntlmMessageType,
  parseAuthenticate,
  verifyAuthenticate,
  type WindowsAccount,
} from "./ntlm.ts";
import {
  DEFAULT_PACKET_SIZE,
  type Message,
  MessageAssembler,
  negotiatePacketSize,
  PacketReader,
  type PacketSink,
  PacketType,
  ResponseMessage,
  TdsProtocolError,
} from "./packet.ts";
import { parseRpc, parseSqlBatch, type SqlRequest, UnsupportedRpcError } from "./requests.ts";
import {
  DoneStatus,
  type DoneToken,
  EnvChangeType,
  type ErrorInfo,
  type TdsVersionName,
  TokenType,
  writeCollationChange,
  writeColMetadata,
  writeDone,
  writeEnvChange,
  writeError,
  writeLoginAck,
  writeReturnStatus,
  writeRow,
  writeSspi,
} from "./tokens.ts";
import { TdsTls, type TlsSettings } from "./tls.ts";
import {
  parseTransactionOperation,
  type TransactionOperation,
  writeTransactionChange,
} from "./transactions.ts";
import { createColumnEncoder } from "./values.ts";

export interface SessionConfig {
  user: string;
  password: string;
  database: string;
  executor: SqlExecutor;
  serverName: string;
  /** The TDS version LOGINACK announces, and the product version PRELOGIN and LOGINACK carry. */
  tdsVersion: TdsVersionName;
  serverVersion: ServerVersion;
  /** The database collation (ENVCHANGE 7) and the default of every character column. */
  collation: Uint8Array;
  /** Null: no certificate, PRELOGIN answers NOT_SUP. */
  tls: TlsSettings | null;
  /** Null: Windows logins are refused (18452), as on a server that cannot reach a domain. */
  windowsAccount: WindowsAccount | null;
}

/** Where response bytes go: the socket, or the TLS layer's clear side once the session is encrypted. */
type Output = PacketSink & EventEmitter & { end(): void };

/** Fault hooks shared by all sessions of one server; read at every row, so changes apply at once. */
export interface FaultState {
  dropAfterRows: number | null;
  isDropOnce: boolean;
  rowDelayMs: number;
  isRefusingLogins: boolean;
}

export interface ServerStats {
  openConnections: number;
  totalConnections: number;
  logins: number;
  failedLogins: number;
  requests: number;
  rowsSent: number;
  attentions: number;
  droppedConnections: number;
}

type QueueItem = { kind: "message"; message: Message; isCancelled: boolean } | {
  kind: "attention";
};
type ResponseKind = "batch" | "rpc";

/** Rows between voluntary yields, so an ATTENTION packet can be read while rows stream. */
const ROWS_PER_YIELD = 128;
const PROGRAM_NAME = "Microsoft SQL Server";

export class Session {
  private readonly reader = new PacketReader();
  private readonly assembler = new MessageAssembler();
  private readonly queue: QueueItem[] = [];
  private wakeProcessor: (() => void) | null = null;
  private phase: "prelogin" | "tls-handshake" | "login" | "sspi" | "ready" = "prelogin";
  private out: Output;
  private tls: TdsTls | null = null;
  /** True while TLS records, not TDS packets, arrive on the socket. */
  private isReadingRecords = false;
  /** ENCRYPT_OFF: TLS carries only the LOGIN7 record. */
  private isLoginOnlyTls = false;
  private pendingNtlm: { login: Login7; serverChallenge: Buffer } | null = null;
  private packetSize = DEFAULT_PACKET_SIZE;
  private current: AbortController | null = null;
  private isClosed = false;
  private transactionCounter = 0n;
  private transactionDescriptor = 0n;

  constructor(
    private readonly socket: Socket,
    private readonly config: SessionConfig,
    private readonly faults: FaultState,
    private readonly stats: ServerStats,
  ) {
    this.out = socket;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      if (this.isReadingRecords) this.tls!.pushRecords(chunk);
      else this.receive(chunk);
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      this.isClosed = true;
      this.current?.abort();
      this.tls?.cleartext.destroy();
      this.wake();
    });
    void this.process();
  }

  private receive(chunk: Buffer): void {
    try {
      for (const packet of this.reader.push(chunk)) {
        if (packet.type === PacketType.Attention) {
          this.receiveAttention();
          continue;
        }
        const message = this.assembler.add(packet);
        if (message) this.enqueue({ kind: "message", message, isCancelled: false });
      }
    } catch (error) {
      if (!(error instanceof TdsProtocolError)) throw error;
      this.socket.destroy();
    }
  }

  /** Cancels whatever precedes the attention: the running request and any queued one. */
  private receiveAttention(): void {
    this.stats.attentions++;
    for (const item of this.queue) if (item.kind === "message") item.isCancelled = true;
    this.current?.abort();
    this.enqueue({ kind: "attention" });
  }

  private enqueue(item: QueueItem): void {
    this.queue.push(item);
    this.wake();
  }

  private wake(): void {
    const wake = this.wakeProcessor;
    this.wakeProcessor = null;
    wake?.();
  }

  private async process(): Promise<void> {
    while (!this.isClosed) {
      const item = this.queue.shift();
      if (!item) {
        await new Promise<void>((resolve) => (this.wakeProcessor = resolve));
        continue;
      }
      try {
        if (item.kind === "attention") this.sendDoneMessage(TokenType.Done, DoneStatus.Attention);
        else if (item.message.isIgnored) this.sendDoneMessage(TokenType.Done, DoneStatus.Error);
        else if (item.isCancelled) this.sendDoneMessage(TokenType.Done, DoneStatus.Final);
        else await this.handle(item.message);
      } catch {
        // A broken handshake or a failure outside any request: nothing sensible can follow.
        this.socket.destroy();
      }
    }
  }

  private async handle(message: Message): Promise<void> {
    if (this.phase === "prelogin") {
      if (message.type !== PacketType.PreLogin) throw new TdsProtocolError("expected PRELOGIN");
      this.prelogin(message.payload);
      return;
    }
    if (this.phase === "tls-handshake") {
      if (message.type !== PacketType.PreLogin) {
        throw new TdsProtocolError("expected a TLS handshake in PRELOGIN packets");
      }
      await this.handshake(message.payload);
      return;
    }
    if (this.phase === "login") {
      if (message.type !== PacketType.Login7) throw new TdsProtocolError("expected LOGIN7");
      if (this.isLoginOnlyTls) this.leaveTls();
      this.login(message.payload);
      return;
    }
    if (this.phase === "sspi") {
      if (message.type !== PacketType.Sspi) throw new TdsProtocolError("expected an SSPI message");
      this.completeNtlm(message.payload);
      return;
    }
    this.stats.requests++;
    if (message.type === PacketType.SqlBatch) {
      const request = this.decode(() => parseSqlBatch(message.payload), "batch");
      if (!request) return;
      if (isSessionSettingsBatch(request.sql)) {
        this.sendDoneMessage(TokenType.Done, DoneStatus.Final);
      } else await this.execute(request, "batch");
    } else if (message.type === PacketType.Rpc) {
      const request = this.decode(() => parseRpc(message.payload), "rpc");
      if (request) await this.execute(request, "rpc");
    } else if (message.type === PacketType.TransactionManager) {
      this.answerTransaction(message.payload);
    } else {
      this.sendError(
        {
          number: 50000,
          state: 1,
          class: 16,
          message: `TDS message type 0x${
            message.type.toString(16)
          } is not supported by the SQL Server stand-in`,
          serverName: this.config.serverName,
        },
        "batch",
      );
    }
  }

  /** Acknowledges begin/commit/rollback with the ENVCHANGE tedious tracks descriptors by. */
  private answerTransaction(payload: Buffer): void {
    let operation: TransactionOperation;
    try {
      operation = parseTransactionOperation(payload);
    } catch (error) {
      this.sendError(this.toErrorInfo(error), "batch");
      return;
    }
    this.send((w) => {
      if (operation === "begin") {
        this.transactionCounter++;
        this.transactionDescriptor = this.transactionCounter;
        writeTransactionChange(w, "begin", this.transactionDescriptor);
      } else if (operation !== "save") {
        writeTransactionChange(w, operation, this.transactionDescriptor);
        this.transactionDescriptor = 0n;
      }
      writeDone(w, TokenType.Done, DoneStatus.Final);
    });
  }

  /** Request decoding failures fail the request, not the connection: messages are framed by packets. */
  private decode(parse: () => SqlRequest, kind: ResponseKind): SqlRequest | null {
    try {
      return parse();
    } catch (error) {
      this.sendError(this.toErrorInfo(error), kind);
      return null;
    }
  }

  /** Answers PRELOGIN with the negotiated encryption; a TLS handshake follows unless it is NOT_SUP. */
  private prelogin(payload: Buffer): void {
    const options = parsePrelogin(payload);
    const tls = this.config.tls;
    const encryption = negotiateEncryption(
      options.get(PreloginOption.Encryption)?.[0],
      tls === null ? "none" : tls.isRequired ? "required" : "available",
    );
    if (encryption === "terminate") {
      // Force Encryption and a client without TLS: SQL Server says REQ and ends the connection.
      this.send((w) =>
        w.bytes(buildPreloginResponse(Encryption.Required, this.config.serverVersion))
      );
      this.socket.end();
      return;
    }
    this.send((w) => w.bytes(buildPreloginResponse(encryption, this.config.serverVersion)));
    if (encryption === Encryption.NotSupported || tls === null) {
      this.phase = "login";
      return;
    }
    this.tls = new TdsTls(tls, this.socket);
    this.isLoginOnlyTls = encryption === Encryption.Off;
    this.phase = "tls-handshake";
  }

  /** One round of the TLS handshake inside PRELOGIN packets. */
  private async handshake(payload: Buffer): Promise<void> {
    const tls = this.tls!;
    const step = await tls.handshakeStep(payload);
    if (step.isSecure && !step.error) {
      // The client sends nothing before it has our last flight, so records start after this one.
      this.isReadingRecords = true;
      tls.carryRecords();
      tls.cleartext.on("data", (chunk: Buffer) => this.receive(chunk));
      if (!this.isLoginOnlyTls) this.out = tls.cleartext;
      this.phase = "login";
    }
    if (step.output.length > 0) {
      const message = new ResponseMessage(this.socket, this.packetSize, PacketType.PreLogin);
      message.push(step.output);
      message.end();
    }
    if (step.error) this.socket.end();
  }

  /** ENCRYPT_OFF: the LOGIN7 record came through TLS; everything after it is clear text. */
  private leaveTls(): void {
    this.isReadingRecords = false;
    this.isLoginOnlyTls = false;
    this.tls!.detach();
    this.tls = null;
  }

  private login(payload: Buffer): void {
    const login = parseLogin7(payload);
    if (login.isIntegratedSecurity) {
      this.startNtlm(login);
      return;
    }
    const refusal = this.faults.isRefusingLogins || login.userName !== this.config.user ||
        login.password !== this.config.password
      ? "credentials"
      : this.databaseRefusal(login);
    if (refusal) this.refuseLogin(login, login.userName, refusal);
    else this.acceptLogin(login);
  }

  private databaseRefusal(login: Login7): "database" | null {
    return login.database !== "" &&
        login.database.toLowerCase() !== this.config.database.toLowerCase()
      ? "database"
      : null;
  }

  /** Windows authentication, step 1: LOGIN7 carried an NTLM NEGOTIATE; answer with a CHALLENGE. */
  private startNtlm(login: Login7): void {
    const account = this.config.windowsAccount;
    if (!account || login.sspi.length === 0) {
      this.refuseLogin(login, "", "untrusted-domain");
      return;
    }
    if (ntlmMessageType(login.sspi) !== NtlmMessageType.Negotiate) {
      throw new TdsProtocolError("LOGIN7 SSPI data is not an NTLM NEGOTIATE message");
    }
    const challenge = buildChallenge(account.domain, this.config.serverName);
    this.pendingNtlm = { login, serverChallenge: challenge.serverChallenge };
    this.send((w) => writeSspi(w, challenge.message));
    this.phase = "sspi";
  }

  /** Windows authentication, step 2: the AUTHENTICATE must prove the account's password. */
  private completeNtlm(payload: Buffer): void {
    const { login, serverChallenge } = this.pendingNtlm!;
    this.pendingNtlm = null;
    const authenticate = parseAuthenticate(payload);
    const account = this.config.windowsAccount!;
    const windowsName = `${authenticate.domain}\\${authenticate.user}`;
    if (
      this.faults.isRefusingLogins ||
      !verifyAuthenticate(authenticate, serverChallenge, account)
    ) {
      this.refuseLogin(login, windowsName, "credentials");
      return;
    }
    const refusal = this.databaseRefusal(login);
    if (refusal) this.refuseLogin(login, windowsName, refusal);
    else this.acceptLogin(login);
  }

  /**
   * Error 18456 ends every failed login, as SQL Server sends it (the reason stays in the server's log);
   * a database the login may not open adds 4060 first; a Windows login the server cannot check is 18452.
   */
  private refuseLogin(
    login: Login7,
    userName: string,
    refusal: "credentials" | "database" | "untrusted-domain",
  ): void {
    this.stats.failedLogins++;
    const serverName = this.config.serverName;
    this.send((w) => {
      if (refusal === "untrusted-domain") {
        writeError(w, {
          number: 18452,
          state: 1,
          class: 14,
          message:
            "Login failed. The login is from an untrusted domain and cannot be used with Windows authentication.",
          serverName,
        });
      } else {
        if (refusal === "database") {
          writeError(w, {
            number: 4060,
            state: 1,
            class: 11,
            message:
              `Cannot open database "${login.database}" requested by the login. The login failed.`,
            serverName,
          });
        }
        writeError(w, {
          number: 18456,
          state: 1,
          class: 14,
          message: `Login failed for user '${userName}'.`,
          serverName,
        });
      }
      writeDone(w, TokenType.Done, DoneStatus.Error);
    });
    this.endConnection();
  }

  private acceptLogin(login: Login7): void {
    this.stats.logins++;
    const packetSize = negotiatePacketSize(login.packetSize);
    this.send((w) => {
      writeEnvChange(w, EnvChangeType.Database, this.config.database, "master");
      writeCollationChange(w, this.config.collation);
      writeEnvChange(w, EnvChangeType.Language, "us_english", "");
      writeLoginAck(w, PROGRAM_NAME, this.config.tdsVersion, this.config.serverVersion);
      writeEnvChange(w, EnvChangeType.PacketSize, String(packetSize), String(this.packetSize));
      writeDone(w, TokenType.Done, DoneStatus.Final);
    });
    this.packetSize = packetSize;
    this.phase = "ready";
  }

  /** Ends the connection once what was sent is flushed (through TLS when the session is encrypted). */
  private endConnection(): void {
    if (this.out !== this.socket) {
      this.out.end();
      setTimeout(() => this.socket.end(), 20).unref();
    } else this.socket.end();
  }

  /** Runs one request through the executor and streams its result as one response message. */
  private async execute(request: SqlRequest, kind: ResponseKind): Promise<void> {
    const controller = new AbortController();
    this.current = controller;
    const { signal } = controller;
    const message = new ResponseMessage(this.out, this.packetSize);
    const w = new ByteWriter(8192);
    const emit = () => {
      message.push(w.view());
      w.reset();
    };
    let rowCount = 0;
    let hasResultSet = false;
    try {
      // An executor that ignores the signal must not hold back the ATTENTION acknowledgement.
      const execution = this.config.executor.execute(request.sql, request.params, signal);
      const result = await untilAborted(execution, signal);
      if (this.isClosed) return;
      if (result !== null && !signal.aborted) {
        const encoders = result.columns.map((column) =>
          createColumnEncoder(column, this.config.collation)
        );
        hasResultSet = encoders.length > 0;
        if (hasResultSet) {
          writeColMetadata(w, encoders);
          emit();
        }
        const rows = iterate(result.rows);
        let isExhausted = false;
        try {
          while (!signal.aborted && !this.isClosed) {
            const next = await rows.next();
            if (next.done) {
              isExhausted = true;
              break;
            }
            if (signal.aborted || this.isClosed) break;
            writeRow(w, encoders, next.value);
            emit();
            rowCount++;
            this.stats.rowsSent++;
            if (this.shouldDropAfter(rowCount)) {
              this.drop(message);
              return;
            }
            await this.pace(message, rowCount, signal);
          }
        } finally {
          // Cancelled, dropped, or a value failed to encode: let the executor release its cursor.
          if (!isExhausted) await closeRows(rows);
        }
      }
      if (this.isClosed) return;
      if (signal.aborted) {
        // Cancelled: end this response at a token boundary; the ATTENTION ack follows on its own.
        writeDone(w, kind === "rpc" ? TokenType.DoneProc : TokenType.Done, DoneStatus.Final);
      } else if (kind === "batch") {
        writeDone(w, TokenType.Done, hasResultSet ? DoneStatus.Count : DoneStatus.Final, rowCount);
      } else {
        writeDone(
          w,
          TokenType.DoneInProc,
          hasResultSet ? DoneStatus.More | DoneStatus.Count : DoneStatus.More,
          rowCount,
        );
        writeReturnStatus(w, 0);
        writeDone(w, TokenType.DoneProc, DoneStatus.Final);
      }
      emit();
      message.end();
    } catch (error) {
      if (this.isClosed) return;
      w.reset();
      if (signal.aborted) {
        writeDone(w, kind === "rpc" ? TokenType.DoneProc : TokenType.Done, DoneStatus.Final);
      } else {
        writeError(w, this.toErrorInfo(error));
        writeDone(
          w,
          kind === "rpc" ? TokenType.DoneProc : TokenType.Done,
          DoneStatus.Error,
          rowCount,
        );
      }
      emit();
      message.end();
    } finally {
      this.current = null;
    }
  }

  private shouldDropAfter(rowCount: number): boolean {
    return this.faults.dropAfterRows !== null && rowCount >= this.faults.dropAfterRows;
  }

  /** The dropAfterRows fault: deliver the rows so far, then cut the connection mid-message. */
  private drop(message: ResponseMessage): void {
    if (this.faults.isDropOnce) this.faults.dropAfterRows = null;
    this.stats.droppedConnections++;
    message.flush();
    this.endConnection();
    setTimeout(() => this.socket.destroy(), 50).unref();
  }

  /** Slows rows down (fault hook), waits while the client does not read, and lets ATTENTION in. */
  private async pace(
    message: ResponseMessage,
    rowCount: number,
    signal: AbortSignal,
  ): Promise<void> {
    const delayMs = this.faults.rowDelayMs;
    if (delayMs > 0) {
      message.flush();
      await sleep(delayMs, signal);
    }
    if (message.needsDrain) {
      await this.drained(signal);
      message.drained();
    } else if (rowCount % ROWS_PER_YIELD === 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private drained(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const out = this.out;
      const done = () => {
        out.off("drain", done);
        this.socket.off("close", done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      if (this.isClosed || signal.aborted) return resolve();
      out.on("drain", done);
      this.socket.on("close", done);
      signal.addEventListener("abort", done);
    });
  }

  private toErrorInfo(error: unknown): ErrorInfo {
    const serverName = this.config.serverName;
    if (error instanceof SqlServerError) {
      return {
        number: error.number,
        state: error.state,
        class: error.class,
        message: error.message,
        serverName,
      };
    }
    if (error instanceof UnsupportedRpcError) {
      return { number: 2812, state: 62, class: 16, message: error.message, serverName };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { number: 50000, state: 1, class: 16, message, serverName };
  }

  private sendError(error: ErrorInfo, kind: ResponseKind): void {
    this.send((w) => {
      writeError(w, error);
      writeDone(w, kind === "rpc" ? TokenType.DoneProc : TokenType.Done, DoneStatus.Error);
    });
  }

  private sendDoneMessage(token: DoneToken, status: number): void {
    this.send((w) => writeDone(w, token, status));
  }

  /** One whole, small response message. */
  private send(write: (w: ByteWriter) => void): void {
    if (this.isClosed) return;
    const w = new ByteWriter();
    write(w);
    const message = new ResponseMessage(this.out, this.packetSize);
    message.push(w.view());
    message.end();
  }
}

/** tedious's connection setup batch (and any batch of only SET statements) needs no executor. */
export function isSessionSettingsBatch(sql: string): boolean {
  const statements = sql.split(/[;\r\n]+/).map((s) => s.trim()).filter((s) => s !== "");
  return statements.length > 0 && statements.every((s) => /^set\s/i.test(s));
}

function iterate(rows: QueryResult["rows"]): AsyncIterator<unknown[]> | Iterator<unknown[]> {
  if (Symbol.asyncIterator in rows) return rows[Symbol.asyncIterator]();
  return rows[Symbol.iterator]();
}

/** The promise's value, or null as soon as the signal aborts (the promise is then left to settle alone). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | null> {
  if (signal.aborted) return Promise.resolve(null);
  return new Promise<T | null>((resolve, reject) => {
    const onAbort = () => resolve(null);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** Lets the executor release its cursor when the client stops reading early. */
async function closeRows(rows: AsyncIterator<unknown[]> | Iterator<unknown[]>): Promise<void> {
  try {
    await rows.return?.();
  } catch {
    // The rows are abandoned anyway; a failure to clean up must not mask the cancellation.
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}
