import { describe, expect, test } from "bun:test";
import { SqlServerError } from "../sqlserver/executor.ts";
import { paramCast, translateTsql, TsqlUnsupported } from "./tsql.ts";

const tr = (sql: string, params: { name: string; type: string }[] = []) =>
  translateTsql(sql, params).text;

describe("translateTsql", () => {
  test("TOP n and TOP (@p) become LIMIT", () => {
    expect(tr("SELECT TOP 5 ZCODIGO FROM ORD_HEAD")).toBe(
      `SELECT "zcodigo" FROM "ord_head" LIMIT 5`,
    );
    expect(tr("SELECT DISTINCT TOP (@n) ZCONTA FROM ORD_HEAD", [{ name: "@n", type: "int" }]))
      .toBe(`SELECT DISTINCT "zconta" FROM "ord_head" LIMIT $1::integer`);
  });

  test("parameters become $n in order of first use, cast to their declared type", () => {
    const t = translateTsql("SELECT 1 FROM T WHERE A = @b AND B = @a AND C = @B", [
      { name: "@a", type: "int" },
      { name: "@b", type: "nvarchar(10)" },
    ]);
    expect(t.text).toBe(
      `SELECT 1 FROM "t" WHERE "a" = $1::bpchar AND "b" = $2::integer AND "c" = $1::bpchar`,
    );
    expect(t.paramIndexes).toEqual([1, 0]);
  });

  test("[brackets], N'strings', ISNULL, RIGHT, LEFT, LEN and + concatenation", () => {
    expect(
      tr(
        "SELECT ISNULL([h].[ZNOMBRE], N'x''y') + RIGHT('000000' + h.ZCODIGO, 6), LEFT(a, 2), LEN(b) FROM ORD_HEAD h",
      ),
    )
      .toBe(
        `SELECT COALESCE("h" . "znombre", 'x''y') + right('000000' + "h" . "zcodigo", 6) , left("a", 2) , length(rtrim("b")) FROM "ord_head" "h"`,
      );
  });

  test("CONVERT style 120, CAST, COUNT as int", () => {
    expect(tr("SELECT CONVERT(VARCHAR(19), MAX(x), 120), CONVERT(varchar(10), y, 120) FROM t"))
      .toBe(
        `SELECT to_char(max("x"), 'YYYY-MM-DD HH24:MI:SS') , left(to_char("y", 'YYYY-MM-DD HH24:MI:SS'), 10) FROM "t"`,
      );
    expect(tr("SELECT CAST(a AS DECIMAL(12,3)), CONVERT(INT, b), COUNT(*) FROM t"))
      .toBe(
        `SELECT CAST("a" AS numeric(12,3)) , CAST("b" AS integer) , CAST(count(*) AS integer) FROM "t"`,
      );
  });

  test("ROW_NUMBER() OVER (PARTITION BY … ORDER BY …) keeps SQL Server's NULL ordering", () => {
    expect(
      tr("SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b DESC, c) AS RN FROM t ORDER BY RN"),
    )
      .toBe(
        `SELECT row_number() OVER (PARTITION BY "a" ORDER BY "b" DESC NULLS LAST, "c" ASC NULLS FIRST) AS "rn" FROM "t" ORDER BY "rn" ASC NULLS FIRST`,
      );
  });

  test("BINARY_CHECKSUM, HASHBYTES and CHECKSUM_AGG map to SQL Server's algorithms", () => {
    expect(tr("SELECT CHECKSUM_AGG(BINARY_CHECKSUM(a, b.c)) FROM t b"))
      .toBe(
        `SELECT bit_xor(tsql_binary_checksum(coalesce(tsql_checksum_bytes("a"), ''::bytea) || coalesce(tsql_checksum_bytes("b" . "c"), ''::bytea))) FROM "t" "b"`,
      );
    expect(tr("SELECT HASHBYTES('md5', a + CHAR(31)) FROM t"))
      .toBe(`SELECT tsql_hashbytes_md5("a" + chr(31)) FROM "t"`);
    expect(tr("SELECT CONVERT(VARCHAR(23), a, 121) FROM t"))
      .toBe(`SELECT to_char("a", 'YYYY-MM-DD HH24:MI:SS.MS') FROM "t"`);
  });

  test("comments are dropped, a trailing semicolon is allowed", () => {
    expect(tr("-- why\nSELECT /* note */ a FROM t;")).toBe(`SELECT "a" FROM "t"`);
  });

  const refused: [string, string][] = [
    ["DROP TABLE ORD_HEAD", "DROP"],
    ["SELECT 1; DROP TABLE ORD_HEAD", "more than one statement"],
    ["SELECT a FROM t WITH (NOLOCK)", "NOLOCK"],
    ["SELECT GETDATE()", "GETDATE"],
    ["SELECT a FROM t CROSS APPLY f(a)", "APPLY"],
    ["SELECT a FROM (SELECT TOP 1 a FROM t) x", "TOP"],
    ["SELECT CONVERT(varchar(20), a, 103) FROM t", "CONVERT style 103"],
    ["SELECT CAST(a AS xml) FROM t", "data type XML"],
    ["SELECT @@VERSION", "@@VERSION"],
    ["SELECT a FROM #tmp", "#tmp"],
    ["SELECT a FROM t ORDER BY a OFFSET 5 ROWS", "OFFSET"],
    ["SELECT a::int FROM t", 'character ":"'],
    ["SELECT 'open FROM t", "unterminated string"],
    ["SELECT BINARY_CHECKSUM(*) FROM t", "BINARY_CHECKSUM needs an explicit column list"],
    ["SELECT a FROM t FOR XML PATH", "FOR"],
    ["SELECT HASHBYTES('SHA2_256', a) FROM t", "HASHBYTES algorithm SHA2_256"],
    ["SELECT HASHBYTES(@alg, a) FROM t", "HASHBYTES needs a literal algorithm"],
  ];
  for (const [sql, construct] of refused) {
    test(`refuses ${sql}`, () => {
      let caught: unknown;
      try {
        translateTsql(sql);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(TsqlUnsupported);
      expect(caught).toBeInstanceOf(SqlServerError);
      expect((caught as Error).message).toContain(construct);
    });
  }

  test("an undeclared variable is SQL Server's error 137", () => {
    try {
      translateTsql("SELECT a FROM t WHERE b = @missing");
      throw new Error("not refused");
    } catch (error) {
      expect((error as SqlServerError).number).toBe(137);
    }
  });

  test("parameter declarations map to Postgres casts", () => {
    expect(paramCast("nvarchar(4000)")).toBe("bpchar");
    expect(paramCast("int")).toBe("integer");
    expect(paramCast("decimal(18, 4)")).toBe("numeric");
    expect(() => paramCast("varbinary(10)")).toThrow(TsqlUnsupported);
  });
});
