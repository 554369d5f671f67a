// ENCRYPT_OFF, which tedious never negotiates: a server with a certificate and a client that only asks
// for the login to be protected. The TLS handshake travels inside PRELOGIN packets, the LOGIN7 record
// inside TLS, and everything after it in clear text ([MS-TDS] 2.2.6.5). Driven by a bare client.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { Duplex } from "node:stream";
import { connect as tlsConnect, createSecureContext } from "node:tls";
import { createDevCertificates, type DevCertificates } from "./certificates.ts";
import type { QueryResult } from "./executor.ts";
import { Encryption, parsePrelogin, PreloginOption } from "./login.ts";
import { MessageAssembler, PacketReader, PacketStatus, PacketType } from "./packet.ts";
import { type SqlServerHandle, startSqlServer } from "./server.ts";
import { buildLogin7, buildPacket, buildSqlBatch } from "./test-client.ts";
import { TokenType } from "./tokens.ts";

let certificates: DevCertificates;
let server: SqlServerHandle;

beforeAll(async () => {
  certificates = createDevCertificates(["localhost", "127.0.0.1"]);
  server = await startSqlServer({
    user: "u",
    password: "p",
    database: "DB",
    executor: {
      execute: (): Promise<QueryResult> =>
        Promise.resolve({ columns: [{ name: "n", type: "int" }], rows: [[7]] }),
    },
    tls: { key: certificates.key, cert: certificates.cert },
  });
});

afterAll(async () => {
  await server.stop();
  certificates.remove();
});

/** Whole TDS messages from a byte source, in order. */
class Messages {
  private readonly reader = new PacketReader();
  private readonly assembler = new MessageAssembler();
  private readonly queue: { type: number; payload: Buffer }[] = [];
  private wake: (() => void) | null = null;

  push(chunk: Buffer): void {
    for (const packet of this.reader.push(chunk)) {
      const message = this.assembler.add(packet);
      if (message) this.queue.push({ type: message.type, payload: message.payload });
    }
    this.wake?.();
  }

  async next(): Promise<{ type: number; payload: Buffer }> {
    const deadline = Date.now() + 3000;
    while (this.queue.length === 0) {
      if (Date.now() > deadline) throw new Error("no message in time");
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.queue.shift()!;
  }
}

test("ENCRYPT_OFF: the LOGIN7 record travels in TLS, the session after it in clear text", async () => {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect(server.port, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
  const clear = new Messages();
  let onRaw = (chunk: Buffer) => clear.push(chunk);
  socket.on("data", (chunk: Buffer) => onRaw(chunk));

  // PRELOGIN with ENCRYPTION = OFF: the server has a certificate, so it answers OFF.
  const prelogin = Buffer.from([PreloginOption.Encryption, 0, 6, 0, 1, 0xff, Encryption.Off]);
  socket.write(buildPacket(PacketType.PreLogin, PacketStatus.EndOfMessage, prelogin));
  const answer = parsePrelogin((await clear.next()).payload);
  expect(answer.get(PreloginOption.Encryption)?.[0]).toBe(Encryption.Off);

  // The handshake, each client flight wrapped in one PRELOGIN message, each answer unwrapped.
  const handshake = new Messages();
  onRaw = (chunk) => handshake.push(chunk);
  // As tedious does: what the TLS engine writes in one go is one PRELOGIN message, answered by one.
  let flight: Buffer[] = [];
  const wire = new (class extends Duplex {
    override _read() {}
    override _write(chunk: Buffer, _encoding: string, callback: () => void) {
      if (flight.length === 0) {
        setTimeout(() => {
          const payload = Buffer.concat(flight);
          flight = [];
          socket.write(buildPacket(PacketType.PreLogin, PacketStatus.EndOfMessage, payload));
          void handshake.next().then((message) => {
            expect(message.type).toBe(PacketType.PreLogin);
            this.push(message.payload);
          });
        }, 1);
      }
      flight.push(chunk);
      callback();
    }
  })();
  const secure = tlsConnect({
    socket: wire as unknown as Socket,
    host: "127.0.0.1",
    servername: "",
    secureContext: createSecureContext({ ca: certificates.caPem }),
  });
  await new Promise<void>((resolve, reject) => {
    secure.once("secureConnect", () => resolve());
    secure.once("error", reject);
  });
  expect(secure.authorized).toBe(true);

  // From here TLS records go straight over TCP: LOGIN7 goes through the TLS socket.
  wire._write = (chunk: Buffer, _encoding: string, callback: () => void) => {
    socket.write(chunk);
    callback();
  };
  onRaw = (chunk) => clear.push(chunk);
  const login = buildLogin7({ 40: "u", 44: "p", 68: "DB" });
  secure.write(buildPacket(PacketType.Login7, PacketStatus.EndOfMessage, login));
  const ack = await clear.next();
  // The login succeeded (no ERROR token first) and the answer came in clear text.
  expect(ack.payload[0]).toBe(TokenType.EnvChange);
  expect(server.stats()).toMatchObject({ logins: 1, failedLogins: 0 });

  // The session continues in clear text.
  socket.write(
    buildPacket(PacketType.SqlBatch, PacketStatus.EndOfMessage, buildSqlBatch("SELECT 7")),
  );
  const result = await clear.next();
  expect(result.payload[0]).toBe(TokenType.ColMetadata);
  socket.destroy();
});
