// Wire cases driven by a bare TDS client: IGNORE, ATTENTION ordering, login refusals, packet sizes.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ParamValue, QueryResult, SqlExecutor } from "./executor.ts";
import { PacketStatus, PacketType } from "./packet.ts";
import { type SqlServerHandle, startSqlServer } from "./server.ts";
import { isSessionSettingsBatch } from "./session.ts";
import { buildPacket, buildSqlBatch, RawTdsClient } from "./test-client.ts";

const DONE = (
  status: number,
  rowCount = 0,
) => [0xfd, status, 0, 0xc1, 0, rowCount, 0, 0, 0, 0, 0, 0, 0];

class CountingExecutor implements SqlExecutor {
  calls: string[] = [];
  execute(sql: string, _params: ParamValue[], _signal: AbortSignal): Promise<QueryResult> {
    this.calls.push(sql);
    const count = Number(sql.split(" ")[1] ?? 1);
    return Promise.resolve({
      columns: [{ name: "n", type: "int" }, { name: "texto", type: "nvarchar", length: 100 }],
      rows: Array.from({ length: count }, (_, i) => [i, "x".repeat(100)]),
    });
  }
}

const executor = new CountingExecutor();
let server: SqlServerHandle;
const clients: RawTdsClient[] = [];

beforeAll(async () => {
  server = await startSqlServer({ user: "u", password: "p", database: "DB", executor });
});

afterAll(async () => {
  for (const client of clients) client.close();
  await server.stop();
});

async function loggedIn(packetSize = 4096): Promise<RawTdsClient> {
  const client = await RawTdsClient.connect(server.port);
  clients.push(client);
  const response = await client.login("u", "p", "DB", packetSize);
  expect(response?.includes(0xad)).toBe(true); // LOGINACK
  return client;
}

test("isSessionSettingsBatch recognises only SET-only batches", () => {
  expect(isSessionSettingsBatch("set textsize 2147483647\nset quoted_identifier on\n")).toBe(true);
  expect(isSessionSettingsBatch("SET NOCOUNT ON; SET XACT_ABORT ON;")).toBe(true);
  expect(isSessionSettingsBatch("set nocount on\nSELECT 1")).toBe(false);
  expect(isSessionSettingsBatch("   ")).toBe(false);
  expect(isSessionSettingsBatch("settings")).toBe(false);
});

describe("login refusals", () => {
  test("a database other than the configured one: 4060 then 18456, DONE(ERROR), close", async () => {
    const client = await RawTdsClient.connect(server.port);
    clients.push(client);
    const response = await client.login("u", "p", "OTHER");
    expect(response!.readInt32LE(3)).toBe(4060);
    expect([...response!.subarray(-13)]).toEqual(DONE(0x02));
    expect(response!.includes(Buffer.from("Login failed for user 'u'.", "utf16le"))).toBe(true);
    expect(await client.nextMessage()).toBeNull();
  });

  test("the login response uses the negotiated packet size afterwards", async () => {
    const client = await loggedIn(512);
    client.packetLengths.length = 0;
    client.send(PacketType.SqlBatch, buildSqlBatch("ROWS 50"));
    const response = await client.nextMessage();
    expect([...response!.subarray(-13)]).toEqual(DONE(0x10, 50));
    expect(client.packetLengths.length).toBeGreaterThan(10);
    expect(Math.max(...client.packetLengths)).toBe(512);
  });
});

describe("IGNORE and ATTENTION", () => {
  test("a message ended with IGNORE gets one DONE(ERROR) and never reaches the executor", async () => {
    const client = await loggedIn();
    const before = executor.calls.length;
    client.send(
      PacketType.SqlBatch,
      buildSqlBatch("ROWS 1"),
      PacketStatus.EndOfMessage | PacketStatus.Ignore,
    );
    expect([...(await client.nextMessage())!]).toEqual(DONE(0x02));
    expect(executor.calls.length).toBe(before);
  });

  test("ATTENTION with nothing running is acknowledged at once", async () => {
    const client = await loggedIn();
    client.send(PacketType.Attention, Buffer.alloc(0));
    expect([...(await client.nextMessage())!]).toEqual(DONE(0x20));
  });

  test("ATTENTION right behind a request: the request's answer, then the ack as its own message", async () => {
    const client = await loggedIn();
    client.write(
      Buffer.concat([
        buildPacket(PacketType.SqlBatch, PacketStatus.EndOfMessage, buildSqlBatch("ROWS 100000")),
        buildPacket(PacketType.Attention, PacketStatus.EndOfMessage, Buffer.alloc(0)),
      ]),
    );
    const answer = await client.nextMessage();
    const ack = await client.nextMessage();
    expect(answer!.length).toBeLessThan(100_000);
    expect([...answer!.subarray(-13)]).toEqual(DONE(0x00));
    expect([...ack!]).toEqual(DONE(0x20));
    // And the connection still answers.
    client.send(PacketType.SqlBatch, buildSqlBatch("ROWS 2"));
    expect([...(await client.nextMessage())!.subarray(-13)]).toEqual(DONE(0x10, 2));
  });

  test("an RPC other than sp_executesql is error 2812 and the connection stays usable", async () => {
    const client = await loggedIn();
    const headers = buildSqlBatch("").subarray(0, 22);
    client.send(PacketType.Rpc, Buffer.concat([headers, Buffer.from([0xff, 0xff, 12, 0, 0, 0])]));
    const response = await client.nextMessage();
    expect(response![0]).toBe(0xaa);
    expect(response!.readInt32LE(3)).toBe(2812);
    expect(response!.subarray(-13)[0]).toBe(0xfe); // DONEPROC
    client.send(PacketType.SqlBatch, buildSqlBatch("ROWS 1"));
    expect([...(await client.nextMessage())!.subarray(-13)]).toEqual(DONE(0x10, 1));
  });
});
