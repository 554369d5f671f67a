// Reads a JSON request body (plain or `Content-Encoding: gzip`) under a size limit counted on the
// decompressed stream, so a zip bomb stops at the limit instead of inflating in memory; then validates it.
import type { z } from "zod";
import { describeIssues } from "../../protocol/src/index.ts";
import { ApiError } from "./errors.ts";

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

/** The body as text: checks the content type and encoding, inflates gzip, enforces the limit. */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const contentType = (request.headers.get("content-type") ?? "").split(";")[0]!.trim()
    .toLowerCase();
  if (!request.body) return "";
  if (contentType !== "application/json") {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `send Content-Type: application/json (got ${contentType || "none"})`,
    );
  }
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  let stream: ReadableStream<Uint8Array> = request.body;
  if (encoding === "gzip") {
    stream = request.body.pipeThrough(new DecompressionStream("gzip"));
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

export function validate<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
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
  return validate(schema, parseJsonText(await readBodyText(request, maxBytes)));
}
