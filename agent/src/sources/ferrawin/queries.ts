// The T-SQL the agent sends to FerraWin, kept readable in one place. Every value is a parameter (@name);
// only fixed fragments chosen from this file are ever joined into a statement.
//
// FerraWin quirks these queries absorb:
// - ZCODIGO is stored both padded and unpadded ("886" and "000886"): the planilla code is built as
//   ZCONTA + '-' + RIGHT('000000' + LTRIM(RTRIM(ZCODIGO)), 6) and joins use the raw values.
// - ORD_BAR holds spirals (ZFIGURA starting 1\t0d\t1\t0d) and rows with blank ZCODLIN/ZELEMENTO; both
//   are left out everywhere, fingerprints included.
// - PROD_DETO (labels) and PROD_DETI (dimensions) hold duplicated rows: each is reduced to ROW_NUMBER() = 1
//   before joining, so duplicates can never multiply bars or weights (one planilla once showed 540,461 kg
//   instead of 1,806.63 kg because of this).
// - ZFECHACALC carries milliseconds: it is compared as CONVERT(varchar(19), …, 120), second precision.

/** ZFIGURA prefix of a spiral. */
export const SPIRAL_PREFIX = "1\t0d\t1\t0d";

const code = (alias: string, column = "ZCODIGO") =>
  `${alias}.ZCONTA + '-' + RIGHT('000000' + LTRIM(RTRIM(${alias}.${column})), 6)`;

/** A bar that counts: keys present, not a spiral. Uses @spiralPrefix and @spiralLength. */
const VALID_BAR = `LTRIM(RTRIM(ISNULL(b.ZCODLIN, ''))) <> ''
    AND LTRIM(RTRIM(ISNULL(b.ZELEMENTO, ''))) <> ''
    AND LEFT(ISNULL(b.ZFIGURA, ''), @spiralLength) <> @spiralPrefix`;

/** Filters a query on planilla codes; `alias` is ORD_HEAD's or ORD_BAR's alias. Values are parameters. */
export interface CodeFilter {
  /** ZCONTA = @zconta */
  zconta?: boolean;
  /** normalised code = @code */
  code?: boolean;
  /** normalised code <= @fromCode */
  fromCode?: boolean;
  /** normalised code > @afterCode (ascending) or < @afterCode (descending) */
  afterCode?: boolean;
  /** raw ZCODIGO IN (@k0 … @kN) together with ZCONTA = @zconta */
  rawCodes?: number;
  descending: boolean;
}

/** `@k0, @k1, …`: the parameters of a raw code list. */
const codeList = (count: number) => Array.from({ length: count }, (_, i) => `@k${i}`).join(", ");

function where(alias: string, filter: CodeFilter, column = "ZCODIGO"): string {
  const parts: string[] = [];
  const normalized = code(alias, column);
  if (filter.zconta) parts.push(`${alias}.ZCONTA = @zconta`);
  if (filter.code) parts.push(`${normalized} = @code`);
  if (filter.fromCode) parts.push(`${normalized} <= @fromCode`);
  if (filter.afterCode) parts.push(`${normalized} ${filter.descending ? "<" : ">"} @afterCode`);
  if (filter.rawCodes) {
    parts.push(`${alias}.${column} IN (${codeList(filter.rawCodes)})`);
  }
  return parts.length ? parts.join(" AND ") : "1 = 1";
}

/**
 * One value of a row's fingerprint text: CHAR(31) then the value, or CHAR(30) for NULL, so NULL, '' and
 * a value moved across a field boundary all read differently. Numbers and dates go through CONVERT.
 */
function field(expression: string, convert?: "number" | "datetime"): string {
  const value = convert === "number"
    ? `CONVERT(VARCHAR(40), ${expression})`
    : convert === "datetime"
    ? `CONVERT(VARCHAR(23), ${expression}, 121)`
    : expression;
  return `ISNULL(CHAR(31) + ${value}, CHAR(30))`;
}

/** HASHBYTES('MD5', …) of a row's fields: a strong per-row hash (SQL Server 2005+; input ≤ 8,000 bytes). */
const rowHash = (fields: string[]) => `HASHBYTES('MD5', ${fields.join(" + ")})`;

/**
 * Aggregates of one table's row hashes per planilla, as one text: the row count and the sum of each row
 * hash's first 8 bytes read as a BIGINT, summed as DECIMAL(38, 0) so no planilla can overflow it. A sum
 * or an XOR of weak checksums lets edits cancel (two bars going 2→3 and 4→5, two bars swapping
 * diameters); over MD5 row hashes, edits cancel only if they collide on 64 bits. The hash is named once,
 * so the derived table that computes it can be merged into the aggregate and run in parallel.
 */
const HASH_AGGREGATES = `CONVERT(VARCHAR(12), COUNT(*)) + '.'
    + CONVERT(VARCHAR(40), SUM(CAST(CAST(SUBSTRING(x.H, 1, 8) AS BIGINT) AS DECIMAL(38, 0))))`;

/** What each FerraWin table contributes to a planilla: every column Puente stores or joins on. */
const BAR_FIELDS = [
  field("b.ZORDEN", "number"),
  field("b.ZCODLIN"),
  field("b.ZELEMENTO"),
  field("b.ZMARCA"),
  field("b.ZDIAMETRO", "number"),
  field("b.ZLONGTESTD", "number"),
  field("b.ZNUMBEND", "number"),
  field("b.ZCANTIDAD", "number"),
  field("b.ZPESOTESTD", "number"),
  field("b.ZFIGURA"),
];
const ENTITY_FIELDS = [
  field("d.ZORDEN", "number"),
  field("d.ZCODLIN"),
  field("d.ZMARCA"),
  field("d.ZSITUACION"),
  field("d.ZCANTIDAD", "number"),
  field("d.ZMEMBERS", "number"),
  field("d.ZCODMODELO"),
];
const LABEL_FIELDS = [field("o.ZCODLIN"), field("o.ZELEMENTO"), field("o.ZETIQUETA")];
const DIMENSION_FIELDS = [field("i.ZCODLIN"), field("i.ZCOTAS")];
const HEADER_FIELDS = [
  field("h.ZNOMBRE"),
  field("h.ZMODULO"),
  field("h.ZFECHA", "datetime"),
  field("h.ZCODOBRA"),
  field("p.ZCODIGO"),
  field("p.ZNOMBRE"),
  field("p.ZCODCLI"),
  field("p.ZCLIENTE"),
];

/**
 * Per planilla, the hash aggregates of one table's rows (all of them: a duplicated label or a spiral's
 * row that changes costs a needless resend, never a missed one).
 */
function tableHashes(
  table: string,
  alias: string,
  column: string,
  fields: string[],
  filter: CodeFilter,
  bars = false,
): string {
  // The bars' subquery also counts them and takes MAX(ZFECHACALC): one scan of ORD_BAR, not two.
  const barColumns = bars ? `, ${alias}.ZFECHACALC AS ZFECHACALC` : "";
  const barAggregates = bars
    ? `, COUNT(*) AS FILAS, CONVERT(VARCHAR(19), MAX(x.ZFECHACALC), 120) AS CALCULO`
    : "";
  return `SELECT x.ZCONTA AS ZCONTA, x.${column} AS ${column}, ${HASH_AGGREGATES} AS HUELLA${barAggregates}
  FROM (
    SELECT ${alias}.ZCONTA AS ZCONTA, ${alias}.${column} AS ${column}, ${
    rowHash(fields)
  } AS H${barColumns}
    FROM ${table} ${alias}
    WHERE ${bars ? `${VALID_BAR} AND ` : ""}${where(alias, filter, column)}
  ) x
  GROUP BY x.ZCONTA, x.${column}`;
}

/**
 * Planilla headers with their obra, client and source fingerprint, in the mode's order.
 * The fingerprint (mapping.ts's fingerprintOf) is built from: the valid bar count, MAX(ZFECHACALC) at
 * second precision (milliseconds caused needless resends in the old system), and HUELLA: the hash
 * aggregates of the planilla's valid bars, entity lines, labels and dimensions, and an MD5 of the header
 * and its obra. Everything is computed by SQL Server (2008 or later); only one row per planilla leaves it.
 * The obra is PROJECT reduced to one row per ZCODIGO by taking each column's MIN: deterministic, so an obra
 * listed twice cannot flip the fingerprint between runs (ROW_NUMBER() = 1 picks either of two rows tied
 * on its order). The statement has no window function, which would keep Postgres (the stand-in) from
 * aggregating the row hashes in parallel.
 */
export function headersQuery(filter: CodeFilter): string {
  const headerHash = `HASHBYTES('MD5', ${HEADER_FIELDS.join(" + ")})`;
  const part = (alias: string) => `ISNULL(${alias}.HUELLA, '-')`;
  return `
SELECT h.ZCONTA AS ZCONTA, h.ZCODIGO AS ZCODIGO, ${code("h")} AS CODIGO,
  h.ZNOMBRE AS ZNOMBRE, h.ZMODULO AS ZMODULO, h.ZFECHA AS ZFECHA, h.ZCODOBRA AS ZCODOBRA,
  p.ZCODIGO AS OBRA_CODIGO, p.ZNOMBRE AS OBRA_NOMBRE, p.ZCODCLI AS ZCODCLI, p.ZCLIENTE AS ZCLIENTE,
  ISNULL(fb.FILAS, 0) AS FILAS, fb.CALCULO AS CALCULO,
  ${part("fb")} + ':' + ${part("fd")} + ':' + ${part("fo")} + ':' + ${part("fi")} + ':'
    + CONVERT(VARCHAR(24), CAST(SUBSTRING(${headerHash}, 1, 8) AS BIGINT)) AS HUELLA
FROM ORD_HEAD h
LEFT JOIN (
  SELECT ZCODIGO, MIN(ZNOMBRE) AS ZNOMBRE, MIN(ZCODCLI) AS ZCODCLI, MIN(ZCLIENTE) AS ZCLIENTE
  FROM PROJECT
  GROUP BY ZCODIGO
) p ON p.ZCODIGO = h.ZCODOBRA
LEFT JOIN (${tableHashes("ORD_BAR", "b", "ZCODIGO", BAR_FIELDS, filter, true)})
  fb ON fb.ZCONTA = h.ZCONTA AND fb.ZCODIGO = h.ZCODIGO
LEFT JOIN (${tableHashes("ORD_DET", "d", "ZCODIGO", ENTITY_FIELDS, filter)})
  fd ON fd.ZCONTA = h.ZCONTA AND fd.ZCODIGO = h.ZCODIGO
LEFT JOIN (${tableHashes("PROD_DETO", "o", "ZCODPLA", LABEL_FIELDS, filter)})
  fo ON fo.ZCONTA = h.ZCONTA AND fo.ZCODPLA = h.ZCODIGO
LEFT JOIN (${tableHashes("PROD_DETI", "i", "ZCODPLA", DIMENSION_FIELDS, filter)})
  fi ON fi.ZCONTA = h.ZCONTA AND fi.ZCODPLA = h.ZCODIGO
WHERE ${where("h", filter)}
ORDER BY CODIGO ${filter.descending ? "DESC" : "ASC"}`;
}

/**
 * Bars of the selected planillas with their entity line, label and dimensions, ordered by planilla code
 * (the mode's direction) and then ZCODLIN, ZELEMENTO.
 */
export function barsQuery(filter: CodeFilter): string {
  // With a year, the deduplicating subqueries read only that year's rows, and with a code list only
  // those planillas' rows (the join would keep only those anyway, and each ROW_NUMBER partition lies
  // within one planilla): an incremental run's work follows what changed, not the size of the year.
  const codes = filter.rawCodes ? codeList(filter.rawCodes) : "";
  const only = (codeColumn: string) =>
    filter.zconta
      ? ` WHERE ZCONTA = @zconta${codes ? ` AND ${codeColumn} IN (${codes})` : ""}`
      : "";
  return `
SELECT ${code("b")} AS CODIGO, b.ZORDEN AS ZORDEN, b.ZCODLIN AS ZCODLIN, b.ZELEMENTO AS ZELEMENTO,
  b.ZMARCA AS ZMARCA, b.ZDIAMETRO AS ZDIAMETRO, b.ZLONGTESTD AS ZLONGTESTD, b.ZNUMBEND AS ZNUMBEND,
  b.ZCANTIDAD AS ZCANTIDAD, b.ZPESOTESTD AS ZPESOTESTD, b.ZFIGURA AS ZFIGURA,
  d.ZMARCA AS DET_MARCA, d.ZSITUACION AS DET_SITUACION, d.ZCANTIDAD AS DET_CANTIDAD,
  d.ZMEMBERS AS DET_MIEMBROS, d.ZCODMODELO AS DET_MODELO,
  o.ZETIQUETA AS ZETIQUETA, i.ZCOTAS AS ZCOTAS
FROM ORD_BAR b
LEFT JOIN (
  SELECT ZCONTA, ZCODIGO, ZORDEN, ZCODLIN, ZMARCA, ZSITUACION, ZCANTIDAD, ZMEMBERS, ZCODMODELO,
    ROW_NUMBER() OVER (PARTITION BY ZCONTA, ZCODIGO, ZORDEN, ZCODLIN ORDER BY ZMARCA) AS RN
  FROM ORD_DET${only("ZCODIGO")}
) d ON d.ZCONTA = b.ZCONTA AND d.ZCODIGO = b.ZCODIGO AND d.ZORDEN = b.ZORDEN
  AND d.ZCODLIN = b.ZCODLIN AND d.RN = 1
LEFT JOIN (
  SELECT ZCONTA, ZCODPLA, ZCODLIN, ZELEMENTO, ZETIQUETA,
    ROW_NUMBER() OVER (PARTITION BY ZCONTA, ZCODPLA, ZCODLIN, ZELEMENTO ORDER BY ZETIQUETA) AS RN
  FROM PROD_DETO${only("ZCODPLA")}
) o ON o.ZCONTA = b.ZCONTA AND o.ZCODPLA = b.ZCODIGO AND o.ZCODLIN = b.ZCODLIN
  AND o.ZELEMENTO = b.ZELEMENTO AND o.RN = 1
LEFT JOIN (
  SELECT ZCONTA, ZCODPLA, ZCODLIN, ZCOTAS,
    ROW_NUMBER() OVER (PARTITION BY ZCONTA, ZCODPLA, ZCODLIN ORDER BY ZCOTAS) AS RN
  FROM PROD_DETI${only("ZCODPLA")}
) i ON i.ZCONTA = b.ZCONTA AND i.ZCODPLA = b.ZCODIGO AND i.ZCODLIN = b.ZCODLIN AND i.RN = 1
WHERE ${VALID_BAR} AND ${where("b", filter)}
ORDER BY CODIGO ${filter.descending ? "DESC" : "ASC"}, b.ZCODLIN ASC, b.ZELEMENTO ASC`;
}
