// Translates the T-SQL subset the Puente agent sends to FerraWin into Postgres SQL, and refuses
// everything else by name: a query the stand-in does not understand must fail loudly, never return a
// silently different answer than SQL Server would.
//
// The subset (one SELECT statement, optionally WITH … AS (…) CTEs, one trailing `;` allowed):
// - [bracketed] and "quoted" identifiers; all identifiers are case-insensitive (lowercased), as under
//   FerraWin's case-insensitive collation. Result column names therefore come back in lowercase.
// - @parameters (sp_executesql) → $n, cast to the declared type ("nvarchar(…)" → varchar, "int" → integer …).
// - N'…' and '…' literals, numbers, = <> != < <= > >= + - * / %, AND OR NOT IN IS NULL LIKE BETWEEN EXISTS,
//   CASE WHEN THEN ELSE END, DISTINCT, [INNER|LEFT|RIGHT|FULL] [OUTER] JOIN … ON, CROSS JOIN, GROUP BY,
//   HAVING, ORDER BY … ASC|DESC (with SQL Server's NULL ordering: NULLs first ascending), UNION [ALL].
// - SELECT TOP n / TOP (@p) in the outermost SELECT → LIMIT.
// - Functions: COUNT SUM MIN MAX AVG COALESCE NULLIF LEFT RIGHT LTRIM RTRIM UPPER LOWER REPLACE SUBSTRING
//   ABS ROUND, ISNULL → COALESCE, LEN → length(rtrim()), ROW_NUMBER() OVER (PARTITION BY … ORDER BY …),
//   CAST(x AS type), CONVERT(type, x) and CONVERT(varchar(n), datetime, 120) → to_char 'YYYY-MM-DD HH24:MI:SS'.
// - `a + b` on strings works through a text `+` operator the loader installs in the FerraWin schema.
// - CONVERT(varchar(n), datetime, 121) → the same with milliseconds; CHAR(n) → chr(n).
// - BINARY_CHECKSUM(a, b, …), HASHBYTES('MD5', x) and CAST(binary AS INT|BIGINT) compute what SQL Server
//   computes, through the schema's functions (tsql-functions.ts); CHECKSUM_AGG(x) → bit_xor(x), SQL
//   Server's XOR. So the stand-in is as blind as SQL Server to edits that cancel under XOR.
// String comparison, grouping and ordering follow the FerraWin columns' collation (load.ts:
// Modern_Spanish_CI_AS as an ICU nondeterministic collation, trailing spaces ignored). Known differences
// not emulated: `+` drops a varchar's trailing spaces, and integer overflow behaviour. LIKE → ILIKE under a
// deterministic Spanish ICU collation (case ignored, accents not), as LIKE behaves under a CI_AS collation.
import { FERRAWIN_LIKE_COLLATION } from "./tables.ts";
import { SqlServerError } from "../sqlserver/executor.ts";

/** SQL Server's number for "Incorrect syntax"; used for every refusal so clients see EREQUEST. */
export const UNSUPPORTED_ERROR = 102;
/** "Must declare the scalar variable". */
export const UNDECLARED_VARIABLE_ERROR = 137;

export class TsqlUnsupported extends SqlServerError {
  constructor(construct: string) {
    super(`T-SQL construct not supported by the FerraWin stand-in: ${construct}`, {
      number: UNSUPPORTED_ERROR,
      class: 15,
    });
    this.name = "TsqlUnsupported";
  }
}

export interface ParamDeclaration {
  name: string;
  type: string;
}

export interface Translation {
  /** Postgres SQL text with $1..$n. */
  text: string;
  /** For each $n (index n-1), the index of the parameter in the caller's list. */
  paramIndexes: number[];
}

type Token =
  | { kind: "word"; text: string }
  | { kind: "ident"; text: string }
  | { kind: "string"; text: string }
  | { kind: "number"; text: string }
  | { kind: "param"; text: string }
  | { kind: "op"; text: string };
type Node = Token | { kind: "group"; items: Node[] };

const KEYWORDS = new Set([
  "SELECT",
  "DISTINCT",
  "FROM",
  "WHERE",
  "AND",
  "OR",
  "NOT",
  "IN",
  "IS",
  "NULL",
  "AS",
  "ON",
  "JOIN",
  "INNER",
  "LEFT",
  "RIGHT",
  "FULL",
  "OUTER",
  "CROSS",
  "GROUP",
  "BY",
  "ORDER",
  "ASC",
  "DESC",
  "HAVING",
  "CASE",
  "WHEN",
  "THEN",
  "ELSE",
  "END",
  "LIKE",
  "BETWEEN",
  "EXISTS",
  "UNION",
  "ALL",
  "OVER",
  "PARTITION",
  "WITH",
]);

const REFUSED = new Set([
  "INSERT",
  "UPDATE",
  "DELETE",
  "DROP",
  "CREATE",
  "ALTER",
  "EXEC",
  "EXECUTE",
  "DECLARE",
  "SET",
  "MERGE",
  "TRUNCATE",
  "GRANT",
  "REVOKE",
  "PIVOT",
  "UNPIVOT",
  "APPLY",
  "FOR",
  "OPTION",
  "OFFSET",
  "FETCH",
  "PERCENT",
  "TIES",
  "INTO",
  "GO",
  "WAITFOR",
  "USE",
  "BEGIN",
  "COMMIT",
  "ROLLBACK",
  "TRAN",
  "TRANSACTION",
  "OPENROWSET",
  "OPENQUERY",
  "OPENDATASOURCE",
  "RAISERROR",
  "THROW",
  "PRINT",
  "IF",
  "WHILE",
  "RETURN",
  "COLLATE",
  "NOLOCK",
  "READPAST",
  "TABLESAMPLE",
  "CONTAINS",
  "FREETEXT",
  "INTERSECT",
  "EXCEPT",
  "LIMIT",
  "ILIKE",
  "RETURNING",
  "ROLLUP",
  "CUBE",
  "GROUPING",
  "ROWS",
  "RANGE",
  "VALUES",
  "TOP",
]);

/** CONVERT(varchar, datetime, style): 120 is ODBC canonical, 121 the same with milliseconds. */
const STYLES: Record<string, { format: string; width: number }> = {
  "120": { format: "YYYY-MM-DD HH24:MI:SS", width: 19 },
  "121": { format: "YYYY-MM-DD HH24:MI:SS.MS", width: 23 },
};

/** Functions whose name and arguments mean the same in Postgres. */
const SAME_FUNCTIONS = new Set([
  "COUNT",
  "SUM",
  "MIN",
  "MAX",
  "AVG",
  "COALESCE",
  "NULLIF",
  "LEFT",
  "RIGHT",
  "LTRIM",
  "RTRIM",
  "UPPER",
  "LOWER",
  "REPLACE",
  "SUBSTRING",
  "ABS",
  "ROUND",
  "ROW_NUMBER",
]);

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const rest = sql.slice(i);
    let m: RegExpExecArray | null;
    if (/\s/.test(c)) {
      i++;
    } else if (rest.startsWith("--")) {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? sql.length : end + 1;
    } else if (rest.startsWith("/*")) {
      const end = sql.indexOf("*/", i + 2);
      if (end < 0) throw new TsqlUnsupported("unterminated /* comment");
      i = end + 2;
    } else if ((m = /^[Nn]?'((?:[^']|'')*)'/.exec(rest))) {
      tokens.push({ kind: "string", text: m[1]! });
      i += m[0].length;
    } else if (c === "'" || (rest.startsWith("N'") || rest.startsWith("n'"))) {
      throw new TsqlUnsupported("unterminated string literal");
    } else if ((m = /^\[([^\]]+)\]/.exec(rest)) || (m = /^"([^"]+)"/.exec(rest))) {
      tokens.push({ kind: "ident", text: m[1]! });
      i += m[0].length;
    } else if ((m = /^@@?[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) {
      if (m[0].startsWith("@@")) throw new TsqlUnsupported(`system variable ${m[0]}`);
      tokens.push({ kind: "param", text: m[0] });
      i += m[0].length;
    } else if ((m = /^\d+(\.\d+)?/.exec(rest))) {
      tokens.push({ kind: "number", text: m[0] });
      i += m[0].length;
    } else if ((m = /^[A-Za-z_#][A-Za-z0-9_$#]*/.exec(rest))) {
      if (m[0].startsWith("#")) throw new TsqlUnsupported(`temporary table ${m[0]}`);
      tokens.push({ kind: "word", text: m[0] });
      i += m[0].length;
    } else if ((m = /^(<>|!=|<=|>=|[=<>+\-*/%(),.;])/.exec(rest))) {
      tokens.push({ kind: "op", text: m[0] });
      i += m[0].length;
    } else {
      throw new TsqlUnsupported(`character "${c}"`);
    }
  }
  return tokens;
}

function group(tokens: Token[]): Node[] {
  const stack: Node[][] = [[]];
  for (const t of tokens) {
    if (t.kind === "op" && t.text === "(") {
      stack.push([]);
    } else if (t.kind === "op" && t.text === ")") {
      const items = stack.pop();
      if (!items || stack.length === 0) throw new TsqlUnsupported("unbalanced parenthesis");
      stack.at(-1)!.push({ kind: "group", items });
    } else {
      stack.at(-1)!.push(t);
    }
  }
  if (stack.length !== 1) throw new TsqlUnsupported("unbalanced parenthesis");
  return stack[0]!;
}

const isOp = (n: Node | undefined, text: string) => n?.kind === "op" && n.text === text;
const isWord = (n: Node | undefined, ...words: string[]) =>
  n?.kind === "word" && words.includes(n.text.toUpperCase());

function splitTopLevel(items: Node[], separator = ","): Node[][] {
  const parts: Node[][] = [[]];
  for (const n of items) {
    if (isOp(n, separator)) parts.push([]);
    else parts.at(-1)!.push(n);
  }
  return parts;
}

function mapType(nodes: Node[]): string {
  const [name, args, ...extra] = nodes;
  if (name?.kind !== "word" || extra.length > 0) {
    throw new TsqlUnsupported(`data type "${render(nodes)}"`);
  }
  const type = name.text.toUpperCase();
  const argList = args?.kind === "group" ? splitTopLevel(args.items).map(render) : [];
  if (args !== undefined && args.kind !== "group") throw new TsqlUnsupported(`data type ${type}`);
  switch (type) {
    case "VARCHAR":
    case "NVARCHAR":
    case "CHAR":
    case "NCHAR": {
      const len = argList[0];
      if (len === undefined || /^max$/i.test(len)) return "text";
      if (!/^\d+$/.test(len)) throw new TsqlUnsupported(`data type ${type}(${len})`);
      return `varchar(${len})`;
    }
    case "INT":
    case "INTEGER":
      return "integer";
    case "SMALLINT":
    case "TINYINT":
      return "smallint";
    case "BIGINT":
      return "bigint";
    case "FLOAT":
      return "double precision";
    case "REAL":
      return "real";
    case "BIT":
      return "boolean";
    case "DECIMAL":
    case "NUMERIC":
      return argList.length ? `numeric(${argList.join(",")})` : "numeric(18,0)";
    case "DATETIME":
      return "timestamp(3)";
    case "DATETIME2":
      return "timestamp";
    case "DATE":
      return "date";
    default:
      throw new TsqlUnsupported(`data type ${type}`);
  }
}

/** Postgres cast for an sp_executesql parameter declaration such as "nvarchar(4000)". */
export function paramCast(declared: string): string {
  const type = declared.trim().toLowerCase();
  // bpchar: compared under the column's collation with trailing spaces ignored, as SQL Server does.
  if (/^n?(var)?char\b/.test(type)) return "bpchar";
  if (/^(int|smallint|tinyint)$/.test(type)) return "integer";
  if (type === "bigint") return "bigint";
  if (/^(decimal|numeric)\b/.test(type)) return "numeric";
  if (/^(float|real)\b/.test(type)) return "double precision";
  if (type === "bit") return "boolean";
  if (/^(datetime2?|date|smalldatetime)\b/.test(type)) return "timestamp";
  throw new TsqlUnsupported(`parameter type ${declared}`);
}

function render(nodes: Node[]): string {
  return nodes.map((n) => n.kind === "group" ? `(${render(n.items)})` : n.text).join(" ");
}

class Translator {
  readonly paramIndexes: number[] = [];
  private readonly paramSlots = new Map<string, number>();

  constructor(private readonly params: ParamDeclaration[]) {}

  param(name: string): string {
    const key = name.toLowerCase();
    let slot = this.paramSlots.get(key);
    if (slot === undefined) {
      const index = this.params.findIndex((p) => p.name.toLowerCase() === key);
      if (index < 0) {
        throw new SqlServerError(`Must declare the scalar variable "${name}".`, {
          number: UNDECLARED_VARIABLE_ERROR,
          class: 15,
        });
      }
      this.paramIndexes.push(index);
      slot = this.paramIndexes.length;
      this.paramSlots.set(key, slot);
    }
    return `$${slot}::${paramCast(this.params[this.paramIndexes[slot - 1]!]!.type)}`;
  }

  list(items: Node[], depth: number): string {
    const out: string[] = [];
    for (let i = 0; i < items.length; i++) {
      const n = items[i]!;
      const next = items[i + 1];
      if (n.kind === "group") {
        // A derived table is left for Postgres to pull up, as SQL Server's optimizer would: a query that
        // names a row's hash once has it computed once, and the aggregate above can run in parallel
        // workers (a derived table kept apart with OFFSET 0 cannot). Naming it twice computes it twice.
        out.push(`(${this.list(n.items, depth + 1)})`);
      } else if (n.kind === "string") {
        out.push(`'${n.text}'`);
      } else if (n.kind === "number") {
        out.push(n.text);
      } else if (n.kind === "param") {
        out.push(this.param(n.text));
      } else if (n.kind === "ident") {
        out.push(`"${n.text.toLowerCase().replaceAll('"', '""')}"`);
      } else if (n.kind === "op") {
        if (n.text === ";") throw new TsqlUnsupported("more than one statement");
        out.push(n.text);
      } else {
        const word = n.text.toUpperCase();
        const isCall = next?.kind === "group" &&
          (!KEYWORDS.has(word) || word === "LEFT" || word === "RIGHT");
        if (isCall) {
          out.push(this.call(word, next.items, depth));
          i++;
        } else if (word === "ORDER" && isWord(next, "BY")) {
          const end = items.findIndex((x, k) => k > i + 1 && isWord(x, "UNION"));
          const stop = end < 0 ? items.length : end;
          out.push(`ORDER BY ${this.orderBy(items.slice(i + 2, stop), depth)}`);
          i = stop - 1;
        } else if (word === "LIKE") {
          // SQL Server's LIKE follows the column's CI collation; Postgres refuses LIKE under a
          // nondeterministic collation, so the pattern carries a deterministic one and case is ignored.
          const pattern = items[i + 1];
          if (!pattern) throw new TsqlUnsupported("LIKE without a pattern");
          out.push(`ILIKE ${this.list([pattern], depth)} COLLATE "${FERRAWIN_LIKE_COLLATION}"`);
          i++;
        } else if (REFUSED.has(word)) {
          throw new TsqlUnsupported(word);
        } else if (KEYWORDS.has(word)) {
          out.push(word);
        } else {
          out.push(`"${n.text.toLowerCase()}"`);
        }
      }
    }
    return out.join(" ");
  }

  /** SQL Server sorts NULLs first ascending and last descending; Postgres the other way round. */
  orderBy(items: Node[], depth: number): string {
    return splitTopLevel(items).map((part) => {
      if (part.length === 0) throw new TsqlUnsupported("empty ORDER BY item");
      const last = part.at(-1);
      const isDesc = isWord(last, "DESC");
      const body = isWord(last, "ASC", "DESC") ? part.slice(0, -1) : part;
      return `${this.list(body, depth)} ${isDesc ? "DESC NULLS LAST" : "ASC NULLS FIRST"}`;
    }).join(", ");
  }

  call(name: string, args: Node[], depth: number): string {
    const parts = args.length ? splitTopLevel(args) : [];
    const arg = (k: number) => this.list(parts[k] ?? [], depth + 1);
    const all = () => parts.map((_, k) => arg(k)).join(", ");
    switch (name) {
      case "ISNULL":
        if (parts.length !== 2) throw new TsqlUnsupported("ISNULL needs two arguments");
        return `COALESCE(${all()})`;
      case "LEN":
        return `length(rtrim(${arg(0)}))`;
      case "CAST": {
        const asIndex = args.findIndex((n) => isWord(n, "AS"));
        if (asIndex < 0) throw new TsqlUnsupported("CAST without AS");
        return `CAST(${this.list(args.slice(0, asIndex), depth + 1)} AS ${
          mapType(args.slice(asIndex + 1))
        })`;
      }
      case "CONVERT": {
        if (parts.length < 2 || parts.length > 3) throw new TsqlUnsupported("CONVERT arity");
        const target = mapType(parts[0]!);
        if (parts.length === 2) return `CAST(${arg(1)} AS ${target})`;
        const style = render(parts[2]!);
        const known = STYLES[style];
        if (!known || !/^(varchar\(\d+\)|text)$/.test(target)) {
          throw new TsqlUnsupported(`CONVERT style ${style} to ${target}`);
        }
        const len = /\d+/.exec(target)?.[0];
        const formatted = `to_char(${arg(1)}, '${known.format}')`;
        return len && Number(len) < known.width ? `left(${formatted}, ${len})` : formatted;
      }
      case "BINARY_CHECKSUM":
        if (parts.length === 0 || render(args) === "*") {
          throw new TsqlUnsupported("BINARY_CHECKSUM needs an explicit column list");
        }
        // Each argument's bytes (tsql-functions.ts), one after the other, through the rotate-XOR.
        return `tsql_binary_checksum(${
          parts.map((_, k) => `coalesce(tsql_checksum_bytes(${arg(k)}), ''::bytea)`).join(" || ")
        })`;
      case "HASHBYTES": {
        const algorithm = parts[0]?.length === 1 && parts[0][0]!.kind === "string"
          ? parts[0][0]!.text.toUpperCase()
          : null;
        if (parts.length !== 2 || algorithm === null) {
          throw new TsqlUnsupported("HASHBYTES needs a literal algorithm and one value");
        }
        if (algorithm !== "MD5") throw new TsqlUnsupported(`HASHBYTES algorithm ${algorithm}`);
        return `tsql_hashbytes_md5(${arg(1)})`;
      }
      case "CHAR":
        if (parts.length !== 1) throw new TsqlUnsupported("CHAR arity");
        return `chr(${arg(0)})`;
      case "CHECKSUM_AGG":
        if (parts.length !== 1) throw new TsqlUnsupported("CHECKSUM_AGG arity");
        return `bit_xor(${arg(0)})`;
      default:
        // SQL Server's COUNT is int; Postgres's is bigint.
        if (name === "COUNT") return `CAST(count(${all()}) AS integer)`;
        if (SAME_FUNCTIONS.has(name)) return `${name.toLowerCase()}(${all()})`;
        throw new TsqlUnsupported(`function or construct ${name}(…)`);
    }
  }
}

/** Translates one T-SQL statement of the subset above; throws TsqlUnsupported otherwise. */
export function translateTsql(sql: string, params: ParamDeclaration[] = []): Translation {
  const tokens = tokenize(sql);
  while (isOp(tokens.at(-1), ";")) tokens.pop();
  if (tokens.length === 0) throw new TsqlUnsupported("empty statement");
  if (!isWord(tokens[0], "SELECT", "WITH")) {
    throw new TsqlUnsupported(`statement ${render(tokens.slice(0, 1))} (only SELECT is answered)`);
  }
  const nodes = group(tokens);
  const limit = extractTop(nodes);
  const translator = new Translator(params);
  let text = translator.list(nodes, 0);
  if (limit) {
    text += ` LIMIT ${limit.kind === "param" ? translator.param(limit.text) : limit.text}`;
  }
  return { text, paramIndexes: translator.paramIndexes };
}

/** Removes `TOP n` / `TOP (x)` from the outermost SELECT; TOP anywhere else is refused. */
function extractTop(nodes: Node[]): Token | null {
  let found: Token | null = null;
  const lastSelect = findOuterSelect(nodes);
  for (let i = 0; i < nodes.length; i++) {
    if (!isWord(nodes[i], "TOP")) continue;
    const isAfterSelect = i - 1 === lastSelect ||
      (i - 2 === lastSelect && isWord(nodes[i - 1], "DISTINCT"));
    if (!isAfterSelect || found) throw new TsqlUnsupported("TOP outside the outermost SELECT");
    const arg = nodes[i + 1];
    const value = arg?.kind === "group" && arg.items.length === 1 ? arg.items[0] : arg;
    if (value?.kind !== "number" && value?.kind !== "param") {
      throw new TsqlUnsupported("TOP needs a number or a parameter");
    }
    if (value.kind === "number" && !/^\d+$/.test(value.text)) {
      throw new TsqlUnsupported("TOP with a fraction");
    }
    found = value;
    nodes.splice(i, 2);
  }
  return found;
}

/** Index of the outermost query's SELECT (after any CTEs). */
function findOuterSelect(nodes: Node[]): number {
  if (!isWord(nodes[0], "WITH")) return 0;
  return nodes.findIndex((n) => isWord(n, "SELECT"));
}
