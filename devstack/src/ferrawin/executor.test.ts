// The executor straight against Postgres (no TDS): types, streaming, cancellation, refusals.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { startSystemCluster, type SystemCluster } from "../postgres/system-cluster.ts";
import { SqlServerError } from "../sqlserver/executor.ts";
import { FerrawinExecutor } from "./executor.ts";
import { FerrawinGenerator } from "./generator.ts";
import { FixtureInvalid, loadFixture } from "./load.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TsqlUnsupported } from "./tsql.ts";
import { binaryChecksum, checksumAgg, varcharChecksumBytes } from "../sqlserver/checksum.ts";
import { encodeCp1252 } from "../sqlserver/cp1252.ts";

let cluster: SystemCluster;
let sql: postgres.Sql;
let executor: FerrawinExecutor;
const generator = new FerrawinGenerator({ planillas: 60, seed: 9 });
const fixture = generator.toFixture();
const never = new AbortController().signal;

beforeAll(async () => {
  cluster = await startSystemCluster();
  sql = postgres(cluster.url, { onnotice: () => {} });
  await loadFixture(sql, fixture);
  // Results estimated above 1,000 rows stream through the cursor (the bars, about 3,000 rows here).
  executor = new FerrawinExecutor({ url: cluster.url, cursorRows: 100, wholeRows: 1000 });
}, 120_000);

afterAll(async () => {
  await executor?.close();
  await sql?.end();
  await cluster?.stop();
}, 60_000);

async function all(rows: AsyncIterable<unknown[]> | Iterable<unknown[]>) {
  const out: unknown[][] = [];
  for await (const row of rows) out.push(row);
  return out;
}

describe("FerrawinExecutor", () => {
  test("FerraWin columns keep SQL Server-like types", async () => {
    const result = await executor.execute("SELECT TOP 1 * FROM [ORD_BAR]", [], never);
    const types = Object.fromEntries(result.columns.map((c) => [c.name, c]));
    expect(types.zcodigo).toEqual({ name: "zcodigo", type: "varchar", length: 10 });
    expect(types.zconta).toEqual({ name: "zconta", type: "char", length: 4 });
    expect(types.zdiametro!.type).toBe("smallint");
    expect(types.zcantidad!.type).toBe("int");
    expect(types.zpesotestd).toEqual({
      name: "zpesotestd",
      type: "decimal",
      precision: 12,
      scale: 3,
    });
    expect(types.zfechacalc!.type).toBe("datetime");
    expect(await all(result.rows)).toHaveLength(1);
  }, 30_000);

  test("parameters, CONVERT 120 and ROW_NUMBER dedupe answer like SQL Server", async () => {
    const head = fixture.ORD_HEAD.find((h) => String(h.ZCODIGO).trim() !== "")!;
    const result = await executor.execute(
      `SELECT h.ZCONTA + '-' + RIGHT('000000' + LTRIM(RTRIM(h.ZCODIGO)), 6) AS CODIGO,
         CONVERT(VARCHAR(19), h.ZFECHA, 120) AS FECHA, COUNT(*) AS N
       FROM ORD_HEAD h WHERE h.ZCONTA = @conta AND h.ZCODIGO = @codigo
       GROUP BY h.ZCONTA, h.ZCODIGO, h.ZFECHA`,
      [
        { name: "@conta", type: "nvarchar(4)", value: String(head.ZCONTA) },
        { name: "@codigo", type: "nvarchar(10)", value: String(head.ZCODIGO) },
      ],
      never,
    );
    expect(result.columns.map((c) => c.type)).toEqual(["varchar", "varchar", "int"]);
    expect(await all(result.rows)).toEqual([[
      `${head.ZCONTA}-${String(head.ZCODIGO).trim().padStart(6, "0")}`,
      String(head.ZFECHA).slice(0, 19),
      1,
    ]]);
    const dedup = await executor.execute(
      `SELECT COUNT(*) AS N FROM (SELECT ZCONTA, ROW_NUMBER() OVER (PARTITION BY ZCONTA, ZCODPLA, ZCODLIN,
         ZELEMENTO ORDER BY ZETIQUETA) AS RN FROM PROD_DETO) o WHERE o.RN = 1`,
      [],
      never,
    );
    const distinct = new Set(
      fixture.PROD_DETO.map((r) => `${r.ZCONTA}|${r.ZCODPLA}|${r.ZCODLIN}|${r.ZELEMENTO}`),
    );
    expect(await all(dedup.rows)).toEqual([[distinct.size]]);
  }, 30_000);

  test(
    "LIKE works on FerraWin's CI columns and ignores case, as under Modern_Spanish_CI_AS",
    async () => {
      const head = fixture.ORD_HEAD.find((h) => /^\d/.test(String(h.ZCODIGO).trim()))!;
      const code = String(head.ZCODIGO).trim();
      const count = async (pattern: string) => {
        const result = await executor.execute(
          `SELECT COUNT(*) AS N FROM ORD_HEAD WHERE ZCONTA = @conta AND ZCODIGO LIKE @pattern`,
          [
            { name: "@conta", type: "nvarchar(4)", value: String(head.ZCONTA) },
            { name: "@pattern", type: "nvarchar(20)", value: pattern },
          ],
          never,
        );
        return (await all(result.rows))[0]![0];
      };
      expect(await count(`${code.slice(0, -1)}%`)).toBeGreaterThanOrEqual(1);
      expect(await count("no-such-%")).toBe(0);
      const projects = await executor.execute(
        `SELECT COUNT(*) AS N FROM PROJECT WHERE ZCODIGO LIKE 'x%' OR ZCODIGO NOT LIKE 'X%'`,
        [],
        never,
      );
      expect(await all(projects.rows)).toEqual([[fixture.PROJECT.length]]);
    },
    30_000,
  );

  test("datetimes come back as the stored wall clock, read as UTC", async () => {
    const bar = fixture.ORD_BAR.find((b) => b.ZFECHACALC !== null)!;
    const result = await executor.execute(
      "SELECT TOP 1 ZFECHACALC FROM ORD_BAR WHERE ZFECHACALC = CAST(@t AS DATETIME)",
      [{ name: "@t", type: "nvarchar(30)", value: String(bar.ZFECHACALC) }],
      never,
    );
    const [[value]] = (await all(result.rows)) as [[Date]];
    expect(value.toISOString()).toBe(`${String(bar.ZFECHACALC).replace(" ", "T")}Z`);
  }, 30_000);

  test("streams every row through the cursor, and stops when aborted", async () => {
    const result = await executor.execute("SELECT ZCODIGO FROM ORD_BAR", [], never);
    expect((await all(result.rows)).length).toBe(fixture.ORD_BAR.length);
    const controller = new AbortController();
    const aborted = await executor.execute("SELECT ZCODIGO FROM ORD_BAR", [], controller.signal);
    let seen = 0;
    for await (const _ of aborted.rows) {
      if (++seen === 150) controller.abort();
    }
    expect(seen).toBe(150);
    // The pool is still healthy afterwards.
    const again = await executor.execute("SELECT COUNT(*) AS N FROM ORD_HEAD", [], never);
    expect(await all(again.rows)).toEqual([[fixture.ORD_HEAD.length]]);
  }, 30_000);

  test(
    "a small result is read whole, and an abort answers at once without cancelling by backend",
    async () => {
      const counts = await executor.execute(
        "SELECT ZCONTA, COUNT(*) AS N FROM ORD_BAR GROUP BY ZCONTA ORDER BY ZCONTA",
        [],
        never,
      );
      const expected = new Map<string, number>();
      for (const bar of fixture.ORD_BAR) {
        const year = String(bar.ZCONTA);
        expected.set(year, (expected.get(year) ?? 0) + 1);
      }
      expect(await all(counts.rows)).toEqual([...expected].sort().map(([y, n]) => [y, n]));
      // Hundreds of millions of row combinations, one row back: it runs without a cursor, for a while.
      const slow = "SELECT COUNT(*) AS N FROM ORD_BAR a CROSS JOIN ORD_BAR b CROSS JOIN ORD_HEAD c";
      const controller = new AbortController();
      const result = await executor.execute(slow, [], controller.signal);
      setTimeout(() => controller.abort(), 300);
      const started = performance.now();
      expect(await all(result.rows)).toEqual([]);
      // Answered at the abort, not when the statement ends; it is never cancelled by backend pid, so a
      // statement that another client starts on the same pooled connection is never cancelled instead.
      expect(performance.now() - started).toBeLessThan(5_000);
      const [running] = await sql`
        select count(*)::int as n from pg_stat_activity
        where state = 'active' and query ilike '%cross join%' and pid <> pg_backend_pid()`;
      expect(running!.n).toBe(1);
      const again = await executor.execute("SELECT COUNT(*) AS N FROM ORD_HEAD", [], never);
      expect(await all(again.rows)).toEqual([[fixture.ORD_HEAD.length]]);
      await sql`
        select pg_cancel_backend(pid) from pg_stat_activity
        where state = 'active' and query ilike '%cross join%' and pid <> pg_backend_pid()`;
    },
    30_000,
  );

  test(
    "refuses what it does not translate, and reports Postgres errors as SQL Server errors",
    async () => {
      await expect(executor.execute("DELETE FROM ORD_HEAD", [], never)).rejects.toBeInstanceOf(
        TsqlUnsupported,
      );
      const missing = await executor.execute("SELECT * FROM NOPE", [], never).catch((e) => e);
      expect(missing).toBeInstanceOf(SqlServerError);
      expect(missing.number).toBe(208);
      const [row] = await sql`select count(*)::int as n from ferrawin.ord_head`;
      expect(row?.n).toBe(fixture.ORD_HEAD.length);
    },
    30_000,
  );

  test(
    "loads a fixture JSON file into another schema: extra columns ignored, non-rows refused",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "ferrawin-load-"));
      try {
        const path = join(dir, "fixture.json");
        writeFileSync(
          path,
          JSON.stringify(new FerrawinGenerator({ planillas: 5, seed: 1 }).toFixture()),
        );
        const counts = await loadFixture(sql, path, { schema: "ferrawin_file" });
        const [row] = await sql`select count(*)::int as n from ferrawin_file.ord_bar`;
        expect(row?.n).toBe(counts.ORD_BAR);
        // A real dump: columns Puente does not read, names in another case.
        writeFileSync(
          path,
          JSON.stringify({
            ORD_HEAD: [{ zconta: "2024", ZCODIGO: "7", ZUSUARIO: "ADMIN", ZBLOQUEO: 0 }],
            CLIENTES: [{ ZCODIGO: "1" }],
          }),
        );
        await loadFixture(sql, path, { schema: "ferrawin_file" });
        expect([...await sql`select zconta, zcodigo, znombre from ferrawin_file.ord_head`]).toEqual(
          [
            { zconta: "2024", zcodigo: "7", znombre: null },
          ],
        );
        writeFileSync(path, JSON.stringify({ ORD_HEAD: [["2024", "7"]] }));
        await expect(loadFixture(sql, path, { schema: "ferrawin_file" })).rejects.toBeInstanceOf(
          FixtureInvalid,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    30_000,
  );

  // Published SQL Server results: see ../sqlserver/checksum.test.ts for their sources. MD5 of the
  // varchar 'è' (CP1252 byte E8) as HASHBYTES returns it: 0x785D512BE4316D578E6650613B45E934, from
  // "TSQL md5 hash different to C# .NET md5" (StackOverflow, answer by Solomon Rutzky).
  test(
    "BINARY_CHECKSUM, CHECKSUM_AGG, HASHBYTES and CAST(binary AS INT | BIGINT) give SQL Server's values",
    async () => {
      const one = async (
        text: string,
        params: { name: string; type: string; value: string }[] = [],
      ) => {
        const result = await executor.execute(text, params, never);
        return (await all(result.rows))[0]!;
      };
      expect(
        await one(
          "SELECT BINARY_CHECKSUM('2Volvo Director 20'), BINARY_CHECKSUM('2Volvo Director20')",
        ),
      )
        .toEqual([-1356512636, 1257395465]);
      expect(
        await one("SELECT BINARY_CHECKSUM(@a), BINARY_CHECKSUM(@b)", [
          { name: "@a", type: "varchar(30)", value: "3Volvo Director30" },
          { name: "@b", type: "varchar(30)", value: "3Volvo Director 30  " },
        ]),
      ).toEqual([1257395480, -1356512636]);
      const [hex] = await sql`select encode(ferrawin.tsql_hashbytes_md5('è'), 'hex') as hex`;
      expect(hex!.hex).toBe("785d512be4316d578e6650613b45e934");
      expect(
        await one(
          `SELECT CAST(SUBSTRING(HASHBYTES('MD5', 'abc'), 1, 4) AS INT),
            CAST(SUBSTRING(HASHBYTES('MD5', 'abc'), 15, 2) AS INT), CAST(HASHBYTES('MD5', 'abc') AS INT)`,
        ),
      ).toEqual([0x90015098 | 0, 0x7f72, 0x28e17f72]);
      // CAST(binary AS BIGINT): big-endian two's complement; shorter values zero-padded on the left,
      // longer ones keep their rightmost 8 bytes (MD5('abc') = 900150983cd24fb0 d6963f7d28e17f72).
      const bigints = await one(
        `SELECT CAST(SUBSTRING(HASHBYTES('MD5', 'abc'), 1, 8) AS BIGINT),
          CAST(SUBSTRING(HASHBYTES('MD5', 'abc'), 15, 2) AS BIGINT), CAST(HASHBYTES('MD5', 'abc') AS BIGINT)`,
      );
      expect(bigints.map((v) => BigInt(v as string))).toEqual([
        BigInt.asIntN(64, 0x900150983cd24fb0n),
        0x7f72n,
        BigInt.asIntN(64, 0xd6963f7d28e17f72n),
      ]);
      const agg = await one(
        `SELECT CHECKSUM_AGG(x.C) FROM (
         SELECT BINARY_CHECKSUM(b.ZCODLIN, b.ZCANTIDAD) AS C FROM ORD_BAR b WHERE b.ZCODLIN = '1'
       ) x`,
      );
      // The reference (checksum.ts) over the same rows: varchar bytes, then the int's 4 little-endian bytes.
      const rows = await sql`select zcodlin, zcantidad from ferrawin.ord_bar where zcodlin = '1'`;
      expect(rows.length).toBeGreaterThan(1);
      const expected = checksumAgg(rows.map((r) => {
        const int = Buffer.alloc(4);
        int.writeInt32LE(r.zcantidad);
        return binaryChecksum(Buffer.concat([varcharChecksumBytes(r.zcodlin, encodeCp1252), int]));
      }));
      expect(agg).toEqual([expected]);
    },
    30_000,
  );

  // HASHBYTES' input limit on SQL Server 2008-2014 is 8,000 bytes (Microsoft, "HASHBYTES (Transact-SQL)"):
  // counted in CP1252 bytes, so 8,000 'é' (16,000 bytes of UTF-8) still hash and one more byte fails.
  test(
    "HASHBYTES('MD5') hashes CP1252 bytes and refuses more than 8,000 of them (error 8152)",
    async () => {
      // The stand-in sends no binary columns: the hash comes back as four INTs, as the fingerprint reads it.
      const slices = [1, 5, 9, 13].map((k) => `CAST(SUBSTRING(x.H, ${k}, 4) AS INT)`).join(", ");
      const hash = async (value: string) => {
        const result = await executor.execute(
          `SELECT ${slices} FROM (SELECT HASHBYTES('MD5', @v) AS H) x`,
          [{ name: "@v", type: "varchar(max)", value }],
          never,
        );
        return (await all(result.rows))[0];
      };
      const md5 = (bytes: Buffer) => {
        const digest = new Bun.CryptoHasher("md5").update(bytes).digest();
        return [0, 4, 8, 12].map((k) => digest.readInt32BE(k));
      };
      expect(await hash("a".repeat(8000))).toEqual(md5(Buffer.alloc(8000, "a")));
      expect(await hash("é".repeat(8000))).toEqual(md5(Buffer.alloc(8000, 0xe9)));
      expect(await hash("€ñ")).toEqual(md5(Buffer.from([0x80, 0xf1])));
      for (const value of ["a".repeat(8001), "é".repeat(8001)]) {
        const error = await hash(value).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SqlServerError);
        expect((error as SqlServerError).number).toBe(8152);
      }
    },
    30_000,
  );
});
