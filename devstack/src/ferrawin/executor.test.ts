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
  executor = new FerrawinExecutor({ url: cluster.url, cursorRows: 100 });
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

  test("loads a fixture JSON file into another schema, and refuses unknown columns", async () => {
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
      writeFileSync(path, JSON.stringify({ ORD_HEAD: [{ ZCONTA: "2024", NOPE: 1 }] }));
      await expect(loadFixture(sql, path, { schema: "ferrawin_file" })).rejects.toBeInstanceOf(
        FixtureInvalid,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
