// FerraWin's six tables as the stand-in stores them: column names as FerraWin spells them, and the
// Postgres type chosen so each column reaches tedious with the SQL Server type the real one has.
// Text columns are SQL Server `varchar(n)` / `char(n)` under Modern_Spanish_CI_AS, as old Spanish
// FerraWin databases are: stored as Postgres `bpchar` (trailing spaces do not count in comparisons, as
// SQL Server pads before comparing) under a case-insensitive, accent-sensitive ICU Spanish collation;
// `varchar` is unbounded `bpchar` (values kept as written), `char(n)` is `char(n)` (padded to n).

export type FerrawinTable =
  | "PROJECT"
  | "ORD_HEAD"
  | "ORD_BAR"
  | "ORD_DET"
  | "PROD_DETO"
  | "PROD_DETI";

export interface FerrawinColumn {
  name: string;
  /** Postgres type; integer → int, numeric(p,s) → decimal, timestamp(3) → datetime; text: see below. */
  pgType: string;
  /** Text columns: the SQL Server declaration clients see ("varchar(20)", "char(4)"). */
  sqlType?: string;
}

/** The collation every FerraWin text column has (created by load.ts in the FerraWin schema). */
export const FERRAWIN_COLLATION = "modern_spanish_ci_as";
/**
 * The same language as a deterministic collation, for LIKE: Postgres refuses LIKE under a
 * nondeterministic one, and SQL Server's LIKE under a CI collation ignores case (tsql.ts: ILIKE).
 */
export const FERRAWIN_LIKE_COLLATION = "modern_spanish_like";

const col = (name: string, pgType: string): FerrawinColumn => {
  const text = /^(varchar|char)\((\d+)\)$/.exec(pgType);
  if (!text) return { name, pgType };
  return {
    name,
    pgType: `${text[1] === "char" ? pgType : "bpchar"} collate ${FERRAWIN_COLLATION}`,
    sqlType: pgType,
  };
};

export const FERRAWIN_TABLES: Record<FerrawinTable, FerrawinColumn[]> = {
  PROJECT: [
    col("ZCODIGO", "varchar(20)"),
    col("ZCODCLI", "varchar(20)"),
    col("ZCLIENTE", "varchar(100)"),
    col("ZNOMBRE", "varchar(100)"),
    col("ZPOBLA", "varchar(100)"),
  ],
  ORD_HEAD: [
    col("ZCONTA", "char(4)"),
    col("ZCODIGO", "varchar(10)"),
    col("ZFECHA", "timestamp(3)"),
    col("ZMODULO", "varchar(100)"),
    col("ZCODOBRA", "varchar(20)"),
    col("ZNOMBRE", "varchar(200)"),
  ],
  ORD_BAR: [
    col("ZCONTA", "char(4)"),
    col("ZCODIGO", "varchar(10)"),
    col("ZORDEN", "integer"),
    col("ZCODLIN", "varchar(10)"),
    col("ZELEMENTO", "varchar(10)"),
    col("ZMARCA", "varchar(20)"),
    col("ZDIAMETRO", "smallint"),
    col("ZCODMODELO", "varchar(20)"),
    col("ZLONGTESTD", "numeric(10,1)"),
    col("ZNUMBEND", "smallint"),
    col("ZCANTIDAD", "integer"),
    col("ZPESOTESTD", "numeric(12,3)"),
    col("ZFIGURA", "varchar(2000)"),
    col("ZFECHACALC", "timestamp(3)"),
  ],
  ORD_DET: [
    col("ZCONTA", "char(4)"),
    col("ZCODIGO", "varchar(10)"),
    col("ZORDEN", "integer"),
    col("ZCODLIN", "varchar(10)"),
    col("ZMARCA", "varchar(20)"),
    col("ZSITUACION", "varchar(200)"),
    col("ZCANTIDAD", "integer"),
    col("ZMEMBERS", "integer"),
    col("ZCODMODELO", "varchar(20)"),
  ],
  PROD_DETO: [
    col("ZCONTA", "char(4)"),
    col("ZCODPLA", "varchar(10)"),
    col("ZCODLIN", "varchar(10)"),
    col("ZELEMENTO", "varchar(10)"),
    col("ZETIQUETA", "varchar(40)"),
  ],
  PROD_DETI: [
    col("ZCONTA", "char(4)"),
    col("ZCODPLA", "varchar(10)"),
    col("ZCODLIN", "varchar(10)"),
    col("ZCOTAS", "varchar(200)"),
    col("ZLONGITUD", "numeric(10,1)"),
  ],
};

export const TABLE_ORDER: FerrawinTable[] = [
  "PROJECT",
  "ORD_HEAD",
  "ORD_BAR",
  "ORD_DET",
  "PROD_DETO",
  "PROD_DETI",
];

/** One fixture row: FerraWin column name → value (datetimes as `YYYY-MM-DD HH:MM:SS.mmm`). */
export type FerrawinRow = Record<string, string | number | null>;
export type FerrawinFixture = Record<FerrawinTable, FerrawinRow[]>;
