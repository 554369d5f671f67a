import { describe, expect, test } from "bun:test";
import { JsonBodyInvalid, splitJsonObject } from "./json-args.ts";

describe("splitJsonObject", () => {
  test("returns each member's raw text, nested values untouched", () => {
    const body = ' { "p_key" : "a\\"b}" , "p_seq":7, "p_batch":{"x":[1,{"y":"]}"}]},"n":null } ';
    const members = splitJsonObject(body);
    expect([...members.keys()]).toEqual(["p_key", "p_seq", "p_batch", "n"]);
    expect(members.get("p_key")).toBe('"a\\"b}"');
    expect(members.get("p_seq")).toBe("7");
    expect(JSON.parse(members.get("p_batch")!)).toEqual({ x: [1, { y: "]}" }] });
    expect(members.get("n")).toBe("null");
  });

  test("empty body and empty object have no members", () => {
    expect(splitJsonObject("").size).toBe(0);
    expect(splitJsonObject(" {} ").size).toBe(0);
  });

  test("rejects non-objects and broken JSON", () => {
    for (const bad of ["[1]", '{"a":1', '{"a" 1}', '{"a":{"b":1}', '{"a":1} x', '{"a":"x}']) {
      expect(() => splitJsonObject(bad)).toThrow(JsonBodyInvalid);
    }
  });

  test("is fast on a large batch", () => {
    const elementos = Array.from({ length: 10_000 }, (_, i) => ({
      ferrawin_id: `${i}-1`,
      descripcion_fila: 'BARRA "CORRUGADA" {12}',
      diametro_mm: 12,
    }));
    const body = JSON.stringify({ p_agent_key: "k", p_seq: 1, p_batch: { elementos } });
    const started = performance.now();
    const members = splitJsonObject(body);
    expect(performance.now() - started).toBeLessThan(200);
    expect(JSON.parse(members.get("p_batch")!).elementos.length).toBe(10_000);
  });
});
