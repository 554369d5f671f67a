// `GET /rest/v1/<table>`: PostgREST's read of a table or view in an exposed schema, run like every
// request (one read-only transaction as the JWT's role, claims and role settings set locally), so RLS
// and grants decide exactly as they would in production. Supported: `select=` (columns or `*`),
// `<column>=eq.<value>` and `is.null` filters, `limit` and `offset`. Writes through table endpoints are
// left out: Puente writes only through RPCs (devstack/README.md).
import type { Sql } from "postgres";
import { errorResponse, responseForDatabaseError } from "./errors.ts";
import { schemaOf } from "./profile.ts";
import { type Caller, refuseForeignRole, requestSettings, roleOf } from "./request-settings.ts";
import type { PostgrestOptions } from "./rpc.ts";

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const RESERVED = new Set(["select", "limit", "offset", "order", "on_conflict", "columns"]);

class QueryInvalid extends Error {}

function badQuery(message: string, details: string | null = null): Response {
  return errorResponse(400, { code: "PGRST100", message, details, hint: null });
}

export class TableHandler {
  constructor(private readonly sql: Sql, private readonly options: PostgrestOptions) {}

  /** Columns of schema.table and their types, or null when there is no such relation. */
  async #columns(schema: string, table: string): Promise<Map<string, string> | null> {
    const rows = await this.sql<{ name: string; type: string }[]>`
      select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
       where n.nspname = ${schema} and c.relname = ${table}
         and c.relkind in ('r', 'v', 'm', 'f', 'p')
       order by a.attnum`;
    if (rows.length > 0) return new Map(rows.map((r) => [r.name, r.type]));
    return null;
  }

  async handle(request: Request, table: string, caller: Caller): Promise<Response> {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return errorResponse(405, {
        code: "PGRST117",
        message: `Unsupported HTTP method: ${request.method}`,
        details: "the devstack serves table endpoints for reads only; Puente writes through RPCs",
        hint: null,
      });
    }
    const schema = schemaOf(request, this.options.exposedSchemas);
    if (schema instanceof Response) return schema;
    const foreign = await refuseForeignRole(this.sql, this.options.roleSettings(), caller);
    if (foreign) return foreign;
    const columns = await this.#columns(schema, table);
    if (!columns) {
      return errorResponse(404, {
        code: "PGRST205",
        message: `Could not find the table '${schema}.${table}' in the schema cache`,
        details: null,
        hint: null,
      });
    }
    let query: { text: string; values: string[] };
    try {
      query = selectQuery(schema, table, columns, new URL(request.url).searchParams);
    } catch (error) {
      if (error instanceof QueryInvalid) return badQuery(error.message);
      throw error;
    }
    const settings = requestSettings(request, caller, this.options.roleSettings());
    try {
      const rows = await this.sql.begin("read only", (tx) => {
        const prelude = tx.unsafe(settings.text, settings.values);
        const result = tx.unsafe(query.text, query.values);
        return Promise.all([prelude, result]).then(([, r]) => r);
      });
      const first = rows[0] as { body: string; n: number } | undefined;
      const n = Number(first?.n ?? 0);
      const offset = Number(new URL(request.url).searchParams.get("offset") ?? 0);
      return new Response(request.method === "HEAD" ? null : first?.body ?? "[]", {
        status: 200,
        headers: {
          "Content-Type": "application/json; charset=utf-8",
          "Content-Range": n === 0 ? "*/*" : `${offset}-${offset + n - 1}/*`,
        },
      });
    } catch (error) {
      return responseForDatabaseError(error, roleOf(caller) !== "anon");
    }
  }
}

function selectQuery(
  schema: string,
  table: string,
  columns: Map<string, string>,
  params: URLSearchParams,
): { text: string; values: string[] } {
  const column = (name: string) => {
    if (!columns.has(name)) {
      throw new QueryInvalid(
        `Could not find the '${name}' column of '${table}' in the schema cache`,
      );
    }
    return quoteIdent(name);
  };
  const selected = (params.get("select") ?? "*").split(",").map((c) => c.trim()).filter(Boolean);
  const list = selected.length === 0 || selected.includes("*")
    ? "*"
    : selected.map(column).join(", ");
  const values: string[] = [];
  const where: string[] = [];
  for (const [key, raw] of params) {
    if (RESERVED.has(key)) continue;
    const target = column(key);
    if (raw.startsWith("eq.")) {
      // The value takes the column's type, so a malformed one fails as in PostgREST (22P02 and the like).
      values.push(raw.slice(3));
      where.push(`${target} = $${values.length}::${columns.get(key)}`);
    } else if (raw === "is.null") where.push(`${target} is null`);
    else if (raw === "not.is.null") where.push(`${target} is not null`);
    else throw new QueryInvalid(`"failed to parse filter (${raw})" (line 1, column 1)`);
  }
  const whole = (name: string) => {
    const value = params.get(name);
    if (value === null) return null;
    if (!/^\d+$/.test(value)) throw new QueryInvalid(`"failed to parse ${name} (${value})"`);
    return value;
  };
  const limit = whole("limit");
  const offset = whole("offset");
  const text = `select coalesce(json_agg(t), '[]')::text as body, count(*)::int as n from (
    select ${list} from ${quoteIdent(schema)}.${quoteIdent(table)}
    ${where.length ? `where ${where.join(" and ")}` : ""}
    ${limit ? `limit ${limit}` : ""} ${offset ? `offset ${offset}` : ""}) t`;
  return { text, values };
}
