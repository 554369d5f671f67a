// `/rest/v1/rpc/:fn` with PostgREST's contract: one transaction per call, the JWT's role, claims and that
// role's settings set locally, named arguments, read-only for STABLE/IMMUTABLE, and the result serialised
// by Postgres itself.
import type { Sql } from "postgres";
import { chooseOverload, type FunctionCatalog, type FunctionSignature } from "./catalog.ts";
import { errorResponse, responseForDatabaseError } from "./errors.ts";
import { JsonBodyInvalid, splitJsonObject } from "./json-args.ts";
import { schemaOf } from "./profile.ts";
import { type Caller, refuseForeignRole, requestSettings, roleOf } from "./request-settings.ts";
import type { RoleSettings } from "./role-settings.ts";

export interface RpcCall extends Caller {
  request: Request;
  functionName: string;
}

export interface PostgrestOptions {
  exposedSchemas: readonly string[];
  roleSettings: () => RoleSettings;
}

const JSON_HEADERS = { "Content-Type": "application/json; charset=utf-8" };
const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

export class RpcHandler {
  constructor(
    private readonly sql: Sql,
    private readonly catalog: FunctionCatalog,
    private readonly options: PostgrestOptions,
  ) {}

  async handle(call: RpcCall): Promise<Response> {
    const { request } = call;
    const isAuthenticated = roleOf(call) !== "anon";
    const schema = schemaOf(request, this.options.exposedSchemas);
    if (schema instanceof Response) return schema;
    const foreign = await refuseForeignRole(this.sql, this.options.roleSettings(), call);
    if (foreign) return foreign;

    let args: Map<string, string | null>;
    let members: Map<string, string> | null = null;
    let body = "";
    try {
      if (request.method === "GET") {
        args = new Map(new URL(request.url).searchParams);
      } else {
        body = await request.text();
        members = splitJsonObject(body);
        args = jsonArgsAsText(members);
      }
    } catch (error) {
      const message = error instanceof JsonBodyInvalid ? error.message : String(error);
      return errorResponse(400, { code: "PGRST102", message, details: null, hint: null });
    }

    let fn = chooseOverload(
      await this.catalog.overloads(schema, call.functionName),
      new Set(args.keys()),
    );
    if (!fn) {
      this.catalog.forget();
      fn = chooseOverload(
        await this.catalog.overloads(schema, call.functionName),
        new Set(args.keys()),
      );
    }
    if (!fn) return functionNotFound(schema, call.functionName, [...args.keys()]);

    const { text, values } = fn.takesWholeBody
      ? { text: `${qualified(fn)}($1::text::${fn.args[0]!.type})`, values: [body || "{}"] }
      : callWithNamedArgs(fn, args, members);
    const query = selectFor(fn, text);
    const settings = requestSettings(request, call, this.options.roleSettings());

    try {
      const rows = await this.sql.begin(fn.isReadOnly ? "read only" : "read write", (tx) => {
        const prelude = tx.unsafe(settings.text, settings.values);
        // Sent without waiting for the prelude: both go down the connection in one round trip.
        const result = tx.unsafe(query, values);
        return Promise.all([prelude, result]).then(([, r]) => r);
      });
      if (fn.returns === "void") return new Response(null, { status: 204 });
      const first = rows[0] as { body: string | null } | undefined;
      return new Response(first?.body ?? "null", { status: 200, headers: JSON_HEADERS });
    } catch (error) {
      if ((error as { code?: string }).code === "42883") this.catalog.forget();
      return responseForDatabaseError(error, isAuthenticated);
    }
  }
}

function qualified(fn: FunctionSignature): string {
  return `${quoteIdent(fn.schema)}.${quoteIdent(fn.name)}`;
}

/** Scalars become their text form (strings unquoted); objects and arrays stay the raw JSON text the
 * client sent, so a jsonb argument reaches Postgres without being parsed or re-serialised here. */
function jsonArgsAsText(members: Map<string, string>): Map<string, string | null> {
  const args = new Map<string, string | null>();
  for (const [key, raw] of members) {
    const c = raw.charCodeAt(0);
    if (c === 0x22) args.set(key, JSON.parse(raw) as string);
    else if (raw === "null") args.set(key, null);
    else args.set(key, raw);
  }
  return args;
}

function callWithNamedArgs(
  fn: FunctionSignature,
  args: Map<string, string | null>,
  raw: Map<string, string> | null,
): { text: string; values: (string | null)[] } {
  const values: (string | null)[] = [];
  const named: string[] = [];
  for (const arg of fn.args) {
    if (!args.has(arg.name)) continue;
    const isJson = arg.type === "json" || arg.type === "jsonb";
    const rawValue = raw?.get(arg.name);
    // A JSON string given to a json/jsonb parameter stays a JSON string (quoted), as in PostgREST.
    const value = isJson && rawValue?.startsWith('"') ? rawValue : args.get(arg.name) ?? null;
    values.push(value);
    named.push(`${quoteIdent(arg.name)} := $${values.length}::text::${arg.type}`);
  }
  return { text: `${qualified(fn)}(${named.join(", ")})`, values };
}

/** Postgres renders the JSON answer, so the gateway never builds result objects. */
function selectFor(fn: FunctionSignature, call: string): string {
  if (fn.returns === "void") return `select ${call}`;
  if (fn.returnsSet) return `select coalesce(json_agg(r), '[]')::text as body from ${call} as r`;
  if (fn.returns === "composite") return `select to_json(r)::text as body from ${call} as r`;
  return `select to_json(${call})::text as body`;
}

function functionNotFound(schema: string, name: string, keys: string[]): Response {
  return errorResponse(404, {
    code: "PGRST202",
    message: `Could not find the function ${schema}.${name}(${
      keys.sort().join(", ")
    }) in the schema cache`,
    details: `Searched for the function ${schema}.${name} with parameters ${
      keys.join(", ") || "(none)"
    }`,
    hint: null,
  });
}
