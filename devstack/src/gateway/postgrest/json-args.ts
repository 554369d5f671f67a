// Splits a JSON object body into its top-level members as raw JSON text, without parsing the values:
// a 10,000-elemento batch goes to Postgres as the very text the client sent.

export class JsonBodyInvalid extends Error {
  override name = "JsonBodyInvalid";
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

function skipWhitespace(text: string, at: number): number {
  while (at < text.length && WHITESPACE.has(text.charCodeAt(at))) at++;
  return at;
}

/** Index just past the string literal starting at `at` (which must be a quote). */
function endOfString(text: string, at: number): number {
  let i = at + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i += 2;
    else if (c === 0x22) return i + 1;
    else i++;
  }
  throw new JsonBodyInvalid("unterminated string in JSON body");
}

/** Index just past the JSON value starting at `at`; nested values are skipped, not parsed. */
function endOfValue(text: string, at: number): number {
  const first = text.charCodeAt(at);
  if (first === 0x22) return endOfString(text, at);
  if (first === 0x7b || first === 0x5b) {
    let depth = 0;
    let i = at;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i = endOfString(text, i);
        continue;
      }
      if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new JsonBodyInvalid("unbalanced brackets in JSON body");
  }
  let i = at;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x2c || c === 0x7d || c === 0x5d || WHITESPACE.has(c)) break;
    i++;
  }
  if (i === at) throw new JsonBodyInvalid(`unexpected character at ${at} in JSON body`);
  return i;
}

/** `{"a":1,"b":{...}}` → Map { a → "1", b → "{...}" }. An empty body is an empty object. */
export function splitJsonObject(text: string): Map<string, string> {
  const members = new Map<string, string>();
  let i = skipWhitespace(text, 0);
  if (i === text.length) return members;
  if (text.charCodeAt(i) !== 0x7b) throw new JsonBodyInvalid("JSON body must be an object");
  i = skipWhitespace(text, i + 1);
  if (text.charCodeAt(i) === 0x7d) return expectEnd(text, i + 1, members);
  while (i < text.length) {
    if (text.charCodeAt(i) !== 0x22) throw new JsonBodyInvalid(`expected a key at ${i}`);
    const keyEnd = endOfString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWhitespace(text, keyEnd);
    if (text.charCodeAt(i) !== 0x3a) throw new JsonBodyInvalid(`expected ':' at ${i}`);
    i = skipWhitespace(text, i + 1);
    const valueEnd = endOfValue(text, i);
    members.set(key, text.slice(i, valueEnd));
    i = skipWhitespace(text, valueEnd);
    const c = text.charCodeAt(i);
    if (c === 0x2c) i = skipWhitespace(text, i + 1);
    else if (c === 0x7d) return expectEnd(text, i + 1, members);
    else throw new JsonBodyInvalid(`expected ',' or '}' at ${i}`);
  }
  throw new JsonBodyInvalid("unterminated JSON object");
}

function expectEnd(text: string, at: number, members: Map<string, string>) {
  if (skipWhitespace(text, at) !== text.length) {
    throw new JsonBodyInvalid("unexpected text after the JSON object");
  }
  return members;
}
