// Looks up callable functions in pg_proc (argument names, types, defaults, result shape), cached per
// schema and name: the first call of a function pays one catalog query, the rest none.
import type { Sql } from "postgres";

export interface FunctionArgument {
  name: string;
  /** SQL type as format_type prints it, used as the parameter's cast. */
  type: string;
  hasDefault: boolean;
}

export interface FunctionSignature {
  schema: string;
  name: string;
  args: FunctionArgument[];
  returns: "void" | "scalar" | "composite";
  returnsSet: boolean;
  isReadOnly: boolean;
  /** A single unnamed json/jsonb argument receives the whole request body. */
  takesWholeBody: boolean;
}

interface ProcRow {
  arg_names: string[] | null;
  arg_types: string[];
  arg_modes: string[] | null;
  n_defaults: number;
  returns_set: boolean;
  return_type: string;
  return_kind: string;
  volatility: string;
}

export class FunctionCatalog {
  readonly #cache = new Map<string, FunctionSignature[]>();

  constructor(private readonly sql: Sql) {}

  forget(): void {
    this.#cache.clear();
  }

  /** Overloads of schema.name; a miss is looked up again, so functions created later are found. */
  async overloads(schema: string, name: string): Promise<FunctionSignature[]> {
    const key = `${schema}.${name}`;
    const cached = this.#cache.get(key);
    if (cached && cached.length > 0) return cached;
    const rows = await this.sql<ProcRow[]>`
      select p.proargnames as arg_names,
             array(select format_type(t, null) from unnest(p.proargtypes) as t) as arg_types,
             p.proargmodes::text[] as arg_modes,
             p.pronargdefaults as n_defaults,
             p.proretset as returns_set,
             format_type(p.prorettype, null) as return_type,
             t.typtype::text as return_kind,
             p.provolatile::text as volatility
        from pg_proc p
        join pg_namespace n on n.oid = p.pronamespace
        join pg_type t on t.oid = p.prorettype
       where n.nspname = ${schema} and p.proname = ${name} and p.prokind = 'f'`;
    const signatures = rows.map((row) => toSignature(schema, name, row));
    this.#cache.set(key, signatures);
    return signatures;
  }
}

function toSignature(schema: string, name: string, row: ProcRow): FunctionSignature {
  const inputNames = (row.arg_names ?? []).filter((_, i) => {
    const mode = row.arg_modes?.[i] ?? "i";
    return mode === "i" || mode === "b" || mode === "v";
  });
  const args = row.arg_types.map((type, i) => ({
    name: inputNames[i] ?? "",
    type,
    hasDefault: i >= row.arg_types.length - row.n_defaults,
  }));
  const onlyArg = args.length === 1 ? args[0] : undefined;
  return {
    schema,
    name,
    args,
    returns: row.return_type === "void"
      ? "void"
      : row.return_kind === "c" || row.return_type === "record"
      ? "composite"
      : "scalar",
    returnsSet: row.returns_set,
    isReadOnly: row.volatility !== "v",
    takesWholeBody: onlyArg !== undefined && onlyArg.name === "" &&
      (onlyArg.type === "json" || onlyArg.type === "jsonb"),
  };
}

/** The overload whose named arguments cover the given keys and whose required ones are all given. */
export function chooseOverload(
  overloads: FunctionSignature[],
  keys: ReadonlySet<string>,
): FunctionSignature | undefined {
  const candidates = overloads.filter((fn) => {
    if (fn.takesWholeBody) return true;
    const names = new Set(fn.args.map((a) => a.name));
    for (const key of keys) if (!names.has(key)) return false;
    return fn.args.every((a) => a.hasDefault || keys.has(a.name));
  });
  return candidates.find((fn) => !fn.takesWholeBody) ?? candidates[0];
}
