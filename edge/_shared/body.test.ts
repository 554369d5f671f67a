import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { z } from "zod";
import { readJson } from "./body.ts";
import { ApiError } from "./errors.ts";

const Schema = z.object({ name: z.string(), n: z.number().default(1) }).strict();

async function gzip(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request("http://x/", {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
  });

async function expectApiError(promise: Promise<unknown>, status: number, code: string) {
  await rejects(promise, (error: unknown) => {
    assertEquals(error instanceof ApiError, true);
    assertEquals([(error as ApiError).status, (error as ApiError).code], [status, code]);
    return true;
  });
}

Deno.test("plain and gzip JSON bodies parse and get defaults", async () => {
  assertEquals(await readJson(post('{"name":"a"}'), Schema, 1000), { name: "a", n: 1 });
  const zipped = await gzip('{"name":"b","n":2}');
  assertEquals(
    await readJson(post(zipped, { "content-encoding": "gzip" }), Schema, 1000),
    { name: "b", n: 2 },
  );
});

Deno.test("a zip bomb stops at the decompressed limit with 413", async () => {
  const bomb = await gzip(`{"name":"${"a".repeat(5_000_000)}"}`);
  assertEquals(bomb.byteLength < 20_000, true);
  await expectApiError(
    readJson(post(bomb, { "content-encoding": "gzip" }), Schema, 100_000),
    413,
    "payload_too_large",
  );
  await expectApiError(readJson(post("x".repeat(2000)), Schema, 1000), 413, "payload_too_large");
});

Deno.test("wrong types, encodings, broken JSON and contract violations", async () => {
  await expectApiError(
    readJson(post("name=a", { "content-type": "application/x-www-form-urlencoded" }), Schema, 1000),
    415,
    "unsupported_media_type",
  );
  await expectApiError(
    readJson(post("{}", { "content-encoding": "br" }), Schema, 1000),
    415,
    "unsupported_media_type",
  );
  await expectApiError(readJson(post("{nope"), Schema, 1000), 400, "invalid_json");
  await expectApiError(
    readJson(post(new Uint8Array([1, 2, 3]), { "content-encoding": "gzip" }), Schema, 1000),
    400,
    "invalid_json",
  );
  await rejects(readJson(post('{"name":1}'), Schema, 1000), (error: ApiError) => {
    assertEquals(error.status, 422);
    assertEquals(error.code, "validation_failed");
    assertEquals(error.issues?.[0]?.path, "name");
    return true;
  });
});

Deno.test("NUL characters, lone surrogates and deep nesting are refused before any database", async () => {
  const Free = z.object({ name: z.string(), extra: z.unknown().optional() }).strict();
  const refused = async (raw: string, path: string) => {
    await rejects(readJson(post(raw), Free, 1_000_000), (error: ApiError) => {
      assertEquals([error.status, error.code, error.issues?.[0]?.path], [
        422,
        "validation_failed",
        path,
      ]);
      return true;
    });
  };
  await refused('{"name":"a\\u0000b"}', "name");
  await refused('{"name":"a\\ud800b"}', "name");
  await refused('{"name":"a\\udc00"}', "name");
  await refused('{"name":"a","extra":{"k\\u0000":1}}', "extra.k\u0000");
  await refused(
    `{"name":"a","extra":${"[".repeat(10_000)}${"]".repeat(10_000)}}`,
    `extra${".0".repeat(63)}`,
  );
  // A literal backslash followed by u0000, a surrogate pair and a 60-level document are fine.
  assertEquals(
    (await readJson(post('{"name":"a\\\\u0000 \\ud83d\\ude00"}'), Free, 1000)).name,
    "a\\u0000 \u{1F600}",
  );
  const deep = `${"[".repeat(60)}${"]".repeat(60)}`;
  assertEquals(
    (await readJson(post(`{"name":"x","extra":${deep}}`), Free, 1000)).name,
    "x",
  );
});
