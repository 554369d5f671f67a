// TLS as SQL Server does it inside TDS ([MS-TDS] 2.2.6.5, 3.2.5.2): after PRELOGIN, the TLS handshake
// travels inside PRELOGIN packets (each client packet answered by one server message), then TLS records
// flow straight over TCP carrying the TDS packets: for the whole session (ENCRYPT_ON/REQ), or only for
// the LOGIN7 record (ENCRYPT_OFF), after which both sides drop back to clear text.

import { Duplex } from "node:stream";
import type { Socket } from "node:net";
import { createSecureContext, type SecureVersion, TLSSocket } from "node:tls";

export interface TlsSettings {
  /** PEM private key and certificate chain of the server. */
  key: string | Buffer;
  cert: string | Buffer;
  /** Force Encryption: clients that do not encrypt are refused. Default false (encryption offered). */
  isRequired?: boolean;
  /**
   * The TLS versions the server accepts, e.g. maxVersion "TLSv1" for an unpatched 2008 server.
   * Default: TLS 1.0 to TLS 1.2.
   */
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
}

/** One server flight of the handshake, to send back wrapped in a PRELOGIN message. */
export interface HandshakeStep {
  output: Buffer;
  isSecure: boolean;
  error: Error | null;
}

/** How long the server's output must stay quiet before a handshake flight is considered whole. */
const FLIGHT_QUIET_MS = 5;
/** A client message that makes the server say nothing this long gets an empty answer. */
const FLIGHT_TIMEOUT_MS = 2000;

/**
 * The encrypted side of the server's TLSSocket: what the TLS engine writes is collected into the
 * current handshake flight, or, once records flow over TCP, written to the socket (with its
 * backpressure); what the client sends is pushed in.
 */
class RecordPipe extends Duplex {
  flight: Buffer[] = [];
  onFlightData: (() => void) | null = null;
  target: Socket | null = null;
  isDetached = false;

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: string, callback: (error?: Error | null) => void) {
    if (this.isDetached) return callback();
    if (!this.target) {
      this.flight.push(chunk);
      this.onFlightData?.();
      return callback();
    }
    if (this.target.write(chunk)) return callback();
    this.target.once("drain", () => callback());
  }
}

/** The TLS layer of one connection, server side. */
export class TdsTls {
  readonly cleartext: TLSSocket;
  private readonly pipe = new RecordPipe();
  private isSecure = false;
  private failure: Error | null = null;

  constructor(settings: TlsSettings, private readonly socket: Socket) {
    const secureContext = createSecureContext({
      key: settings.key,
      cert: settings.cert,
      // SChannel on the Windows versions SQL Server runs on still accepts TLS 1.0 unless it was turned
      // off, unlike this runtime's default minimum (TLS 1.2).
      minVersion: settings.minVersion ?? "TLSv1",
      // TLS 1.3 comes to SQL Server only with TDS 8.0 (strict encryption, TLS before any TDS), never
      // inside PRELOGIN packets.
      maxVersion: settings.maxVersion ?? "TLSv1.2",
    });
    this.cleartext = new TLSSocket(this.pipe as unknown as Socket, {
      isServer: true,
      secureContext,
    });
    this.cleartext.on("secure", () => {
      this.isSecure = true;
      this.pipe.onFlightData?.();
    });
    this.cleartext.on("error", (error: Error) => {
      this.failure ??= error;
      this.pipe.onFlightData?.();
    });
  }

  /** The negotiated protocol ("TLSv1.2"…), once secure. */
  get protocol(): string | null {
    return this.cleartext.getProtocol?.() ?? null;
  }

  /** Feeds one client handshake message and collects the server's whole answering flight. */
  handshakeStep(payload: Buffer): Promise<HandshakeStep> {
    return new Promise((resolve) => {
      let quiet: ReturnType<typeof setTimeout> | null = null;
      const finish = () => {
        if (quiet) clearTimeout(quiet);
        clearTimeout(timeout);
        this.pipe.onFlightData = null;
        const output = Buffer.concat(this.pipe.flight);
        this.pipe.flight = [];
        resolve({ output, isSecure: this.isSecure, error: this.failure });
      };
      const timeout = setTimeout(finish, FLIGHT_TIMEOUT_MS);
      this.pipe.onFlightData = () => {
        if (quiet) clearTimeout(quiet);
        quiet = setTimeout(finish, FLIGHT_QUIET_MS);
      };
      this.pipe.push(payload);
    });
  }

  /** After the handshake: the server's records go straight to the socket, the client's come here. */
  carryRecords(): void {
    this.pipe.target = this.socket;
  }

  pushRecords(chunk: Buffer): void {
    this.pipe.push(chunk);
  }

  /** Login-only encryption is over: the TLS session is abandoned without another byte on the wire. */
  detach(): void {
    this.pipe.isDetached = true;
    this.cleartext.destroy();
  }
}
