import { describe, expect, test } from "bun:test";
import { answerSsrp, SsrpRequest } from "./ssrp.ts";
import { Encryption, negotiateEncryption } from "./login.ts";

const instances = [{ name: "SQLEXPRESS", tcpPort: 49172, version: "10.50.1600.1" }];

describe("SSRP answers", () => {
  test("CLNT_UCAST_EX lists every instance in SVR_RESP", () => {
    const answer = answerSsrp(Buffer.from([SsrpRequest.UnicastEx]), "OFICINA", instances)!;
    const data = "ServerName;OFICINA;InstanceName;SQLEXPRESS;IsClustered;No;" +
      "Version;10.50.1600.1;tcp;49172;;";
    expect(answer[0]).toBe(0x05);
    expect(answer.readUInt16LE(1)).toBe(data.length);
    expect(answer.subarray(3).toString("latin1")).toBe(data);
  });

  test("CLNT_UCAST_INST matches the name case-insensitively; an unknown one gets no answer", () => {
    const ask = (name: string) =>
      answerSsrp(
        Buffer.from([SsrpRequest.UnicastInstance, ...Buffer.from(`${name}\0`)]),
        "X",
        instances,
      );
    expect(ask("sqlexpress")?.toString("latin1")).toContain(";tcp;49172;;");
    expect(ask("OTRA")).toBeNull();
    expect(answerSsrp(Buffer.from([0x09]), "X", instances)).toBeNull();
  });
});

describe("PRELOGIN encryption negotiation ([MS-TDS] 2.2.6.5)", () => {
  test("a server without a certificate, with one, and with Force Encryption", () => {
    expect(negotiateEncryption(Encryption.On, "none")).toBe(Encryption.NotSupported);
    expect(negotiateEncryption(Encryption.Required, "none")).toBe("terminate");
    expect(negotiateEncryption(Encryption.Off, "available")).toBe(Encryption.Off);
    expect(negotiateEncryption(Encryption.On, "available")).toBe(Encryption.On);
    expect(negotiateEncryption(Encryption.NotSupported, "available")).toBe(Encryption.NotSupported);
    expect(negotiateEncryption(Encryption.Off, "required")).toBe(Encryption.Required);
    expect(negotiateEncryption(Encryption.On, "required")).toBe(Encryption.On);
    expect(negotiateEncryption(Encryption.NotSupported, "required")).toBe("terminate");
  });
});
