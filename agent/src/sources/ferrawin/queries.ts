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

const code = (alias: string) =>
  `${alias}.ZCONTA + '-' + RIGHT('000000' + LTRIM(RTRIM(${alias}.ZCODIGO)), 6)`;

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

function where(alias: string, filter: CodeFilter): string {
  const parts: string[] = [];
  if (filter.zconta) parts.push(`${alias}.ZCONTA = @zconta`);
  if (filter.code) parts.push(`${code(alias)} = @code`);
  if (filter.fromCode) parts.push(`${code(alias)} <= @fromCode`);
  if (filter.afterCode) parts.push(`${code(alias)} ${filter.descending ? "<" : ">"} @afterCode`);
  if (filter.rawCodes) {
    parts.push(`${alias}.ZCODIGO IN (${codeList(filter.rawCodes)})`);
  }
  return parts.length ? parts.join(" AND ") : "1 = 1";
}

/**
 * Planilla headers with their obra, client and source fingerprint, in the mode's order.
 * The fingerprint parts: valid bar count, CHECKSUM_AGG of BINARY_CHECKSUM over the bar columns the old
 * system compared, MAX(ZFECHACALC) at second precision, and a checksum of the header fields (so a fixed
 * obra or a renamed planilla is noticed too).
 */
export function headersQuery(filter: CodeFilter): string {
  return `
SELECT h.ZCONTA AS ZCONTA, h.ZCODIGO AS ZCODIGO, ${code("h")} AS CODIGO,
  h.ZNOMBRE AS ZNOMBRE, h.ZMODULO AS ZMODULO, h.ZFECHA AS ZFECHA, h.ZCODOBRA AS ZCODOBRA,
  p.ZCODIGO AS OBRA_CODIGO, p.ZNOMBRE AS OBRA_NOMBRE, p.ZCODCLI AS ZCODCLI, p.ZCLIENTE AS ZCLIENTE,
  ISNULL(f.FILAS, 0) AS FILAS, f.CHECKSUM_BARRAS AS CHECKSUM_BARRAS, f.CALCULO AS CALCULO,
  BINARY_CHECKSUM(h.ZNOMBRE, h.ZMODULO, h.ZCODOBRA, h.ZFECHA, p.ZCODIGO, p.ZNOMBRE, p.ZCODCLI, p.ZCLIENTE)
    AS CHECKSUM_CABECERA
FROM ORD_HEAD h
LEFT JOIN (
  SELECT ZCODIGO, ZNOMBRE, ZCODCLI, ZCLIENTE,
    ROW_NUMBER() OVER (PARTITION BY ZCODIGO ORDER BY ZNOMBRE) AS RN
  FROM PROJECT
) p ON p.ZCODIGO = h.ZCODOBRA AND p.RN = 1
LEFT JOIN (
  SELECT b.ZCONTA AS ZCONTA, b.ZCODIGO AS ZCODIGO, COUNT(*) AS FILAS,
    CHECKSUM_AGG(BINARY_CHECKSUM(b.ZCODLIN, b.ZELEMENTO, b.ZDIAMETRO, b.ZCANTIDAD, b.ZNUMBEND,
      b.ZLONGTESTD, b.ZPESOTESTD)) AS CHECKSUM_BARRAS,
    CONVERT(VARCHAR(19), MAX(b.ZFECHACALC), 120) AS CALCULO
  FROM ORD_BAR b
  WHERE ${VALID_BAR} AND ${where("b", filter)}
  GROUP BY b.ZCONTA, b.ZCODIGO
) f ON f.ZCONTA = h.ZCONTA AND f.ZCODIGO = h.ZCODIGO
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
