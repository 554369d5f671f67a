// Reads a JSON request body (plain or `Content-Encoding: gzip`) under a size limit counted on the
// decompressed stream, so a zip bomb stops at the limit instead of inflating in memory; then validates it.
import type { z } from "zod";
import { describeIssues, protocolMismatch } from "../../protocol/src/index.ts";
import { ApiError, ProtocolUnsupported } from "./errors.ts";

async function readLimited(stream: ReadableStream<Uint8Array>, maxBytes: number): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const chunks: string[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new ApiError(413, "payload_too_large", `body is larger than ${maxBytes} bytes`);
      }
      chunks.push(decoder.decode(value, { stream: true }));
    }
    chunks.push(decoder.decode());
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(400, "invalid_json", `body could not be read: ${String(error)}`);
  }
  return chunks.join("");
}

/**
 * Deflate inflates at most about 1,032 times, and a decompressor turns each input chunk into output
 * at once: fed the body's network chunks as they come, one 64 KiB chunk of a bomb would become 64 MiB
 * in memory before the limit could be checked. Fed 1 KiB at a time, no output chunk exceeds ~1 MiB.
 */
const GZIP_INPUT_SLICE = 1024;

function inSlices(size: number): TransformStream<Uint8Array, Uint8Array<ArrayBuffer>> {
  return new TransformStream({
    transform(chunk, controller) {
      for (let at = 0; at < chunk.byteLength; at += size) {
        // Request bodies are backed by ArrayBuffers, never SharedArrayBuffers.
        const slice = chunk.subarray(at, Math.min(at + size, chunk.byteLength));
        controller.enqueue(slice as Uint8Array<ArrayBuffer>);
      }
    },
  });
}

/** The request's media type, lowercased, without parameters ("" when absent). */
export const mediaTypeOf = (request: Request): string =>
  (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();

/** The body as text: checks the content type and encoding, inflates gzip, enforces the limit. */
export async function readBodyText(
  request: Request,
  maxBytes: number,
  mediaType = "application/json",
): Promise<string> {
  const contentType = mediaTypeOf(request);
  if (!request.body) return "";
  if (contentType !== mediaType) {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `send Content-Type: ${mediaType} (got ${contentType || "none"})`,
    );
  }
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  let stream: ReadableStream<Uint8Array> = request.body;
  if (encoding === "gzip") {
    stream = request.body.pipeThrough(inSlices(GZIP_INPUT_SLICE)).pipeThrough(
      new DecompressionStream("gzip"),
    );
  } else if (encoding !== "identity") {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `Content-Encoding ${encoding} is not supported; use gzip`,
    );
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (encoding === "identity" && declared > maxBytes) {
    throw new ApiError(413, "payload_too_large", `body is larger than ${maxBytes} bytes`);
  }
  return await readLimited(stream, maxBytes);
}

export function parseJsonText(text: string): unknown {
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, "invalid_json", `body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Deeper than any protocol message goes; free-form fields (composicion, payload) stay far below it. */
export const MAX_JSON_DEPTH = 64;

/** `\u0000` or a `\uD800`–`\uDFFF` escape (also matches an escaped backslash before one: harmless). */
const MAY_HOLD_UNSTORABLE = /\\u(?:0000|d[89a-f])/i;

/**
 * Refuses what JSON allows but Postgres cannot store or should never be asked to parse: a NUL character
 * (jsonb has no U+0000), a lone UTF-16 surrogate (not valid Unicode), and nesting deeper than
 * MAX_JSON_DEPTH (a 10,000-level document would reach the database's recursion limit). Keys count as
 * strings. Iterative, so a hostile depth cannot overflow the edge's own stack either. `checkStrings`
 * false checks the depth only (for text already known to hold no such escape).
 */
export function assertStorableJson(value: unknown, checkStrings = true): void {
  interface Node {
    value: unknown;
    /** The name or array index in its parent; joined into a path only for a refusal. */
    key: string | number;
    parent: Node | null;
    depth: number;
  }
  // Paths are built only for the refusal, so a clean 2-million-element batch allocates no strings.
  const pathOf = (node: Node | null, key?: string): string => {
    const parts: (string | number)[] = key === undefined ? [] : [key];
    for (let n = node; n?.parent; n = n.parent) parts.unshift(n.key);
    return parts.join(".") || "(body)";
  };
  const refuse = (path: string, message: string): never => {
    throw new ApiError(422, "validation_failed", "the body does not match the contract", [
      { path, message },
    ]);
  };
  const badString = (text: string): string | null => {
    if (text.includes("\0")) return "contains a NUL character (U+0000)";
    if (!text.isWellFormed()) return "contains a lone UTF-16 surrogate (not valid Unicode)";
    return null;
  };
  const stack: Node[] = [{ value, key: "", parent: null, depth: 0 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const current = node.value;
    if (typeof current === "string") {
      const problem = badString(current);
      if (problem) refuse(pathOf(node), problem);
      continue;
    }
    if (typeof current !== "object" || current === null) continue;
    if (node.depth >= MAX_JSON_DEPTH) {
      refuse(pathOf(node), `nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
    const depth = node.depth + 1;
    if (Array.isArray(current)) {
      for (let i = 0; i < current.length; i++) {
        const item: unknown = current[i];
        if (typeof item === "object" || (checkStrings && typeof item === "string")) {
          stack.push({ value: item, key: i, parent: node, depth });
        }
      }
      continue;
    }
    for (const key in current) {
      const problem = checkStrings ? badString(key) : null;
      if (problem) refuse(pathOf(node, key), `key ${problem}`);
      const item = (current as Record<string, unknown>)[key];
      if (typeof item === "object" || (checkStrings && typeof item === "string")) {
        stack.push({ value: item, key, parent: node, depth });
      }
    }
  }
}

export function validate<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  // Another protocol version is not a malformed body: 426 tells the agent what to do about it.
  const sent = value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as { v?: unknown }).v
    : undefined;
  const mismatch = protocolMismatch(sent);
  if (mismatch) throw new ProtocolUnsupported(sent as number, mismatch);
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ApiError(
      422,
      "validation_failed",
      "the body does not match the contract",
      describeIssues(result.error),
    );
  }
  return result.data;
}

/** Read, decompress, parse and validate a JSON body in one step. */
export async function readJson<S extends z.ZodType>(
  request: Request,
  schema: S,
  maxBytes: number,
): Promise<z.output<S>> {
  const text = await readBodyText(request, maxBytes);
  const parsed = parseJsonText(text);
  // Valid UTF-8 cannot carry a raw NUL inside a JSON string or a lone surrogate, so only an escape can:
  // without one, strings need no per-character look (most batches), only the depth is checked.
  assertStorableJson(parsed, MAY_HOLD_UNSTORABLE.test(text));
  return validate(schema, parsed);
}
