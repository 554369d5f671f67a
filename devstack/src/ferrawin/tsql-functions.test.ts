// The stand-in's CP1252 bytes and HASHBYTES('MD5') give the same answers on both of its Postgres builds:
// PostgreSQL (convert_to 'WIN1252', inlined) and PGlite (Latin-1 plus translate, no conversion modules),
// both checked against the reference encoder of the TDS stand-in (../sqlserver/cp1252.ts).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { startSystemCluster, type SystemCluster } from "../postgres/system-cluster.ts";
import { decodeCp1252, encodeCp1252 } from "../sqlserver/cp1252.ts";
import { tsqlFunctionsSql } from "./tsql-functions.ts";

/** ASCII, Latin-1, every character CP1252 puts at 0x80-0x9F, and a mix. */
const SAMPLES = [
  "abc",
  "\u001f2026\u001fZAPATA Z-1\u001e",
  "Construcciones Peña, Logroño: ¿cómo? ¡sí! çÇ ÿ",
  "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ",
  "Muro “norte” – 2 × Ø12 … 5 €",
];

/** The functions, and the column collation (Modern_Spanish_CI_AS) text arrives under from the tables. */
const schemaSql = (hasWin1252: boolean) =>
  `create schema fw;
  create collation fw.ci (provider = icu, locale = 'es@colStrength=secondary', deterministic = false);
  ${tsqlFunctionsSql("fw", hasWin1252)}`;

/** The five bytes code page 1252 leaves undefined (they read as the same-numbered C1 controls). */
const UNDEFINED = [0x81, 0x8d, 0x8f, 0x90, 0x9d];

let cluster: SystemCluster;
let sql: postgres.Sql;
let pglite: PGlite;

beforeAll(async () => {
  cluster = await startSystemCluster();
  sql = postgres(cluster.url, { max: 1, onnotice: () => {} });
  await sql.unsafe(schemaSql(true));
  pglite = await PGlite.create();
  await pglite.exec(schemaSql(false));
}, 120_000);

afterAll(async () => {
  await pglite?.close();
  await sql?.end();
  await cluster?.stop();
}, 60_000);

type Query = (text: string, value: string) => Promise<string>;
const onPostgres: Query = async (text, value) => {
  const [row] = await sql.unsafe<{ hex: string }[]>(text, [value]);
  return row!.hex;
};
const onPglite: Query = async (text, value) =>
  (await pglite.query<{ hex: string }>(text, [value])).rows[0]!.hex;

describe.each([["PostgreSQL", onPostgres], ["PGlite", onPglite]] as const)("on %s", (_, query) => {
  test("tsql_cp1252 gives SQL Server's CP1252 bytes", async () => {
    for (const sample of SAMPLES) {
      expect(await query("select encode(fw.tsql_cp1252($1), 'hex') as hex", sample))
        .toBe(encodeCp1252(sample).toString("hex"));
    }
  });

  test("tsql_hashbytes_md5 is the MD5 of those bytes, up to 8,000 of them", async () => {
    const md5 = (bytes: Buffer) => new Bun.CryptoHasher("md5").update(bytes).digest("hex");
    for (const sample of [...SAMPLES, "é".repeat(8000)]) {
      expect(await query("select encode(fw.tsql_hashbytes_md5($1), 'hex') as hex", sample))
        .toBe(md5(encodeCp1252(sample)));
    }
    for (const sample of ["a".repeat(8001), "é".repeat(8001)]) {
      await expect(query("select encode(fw.tsql_hashbytes_md5($1), 'hex') as hex", sample))
        .rejects.toThrow(/HASHBYTES input over/);
    }
  });

  test("every byte CP1252 defines comes back as itself, also from collated text", async () => {
    const wrong: string[] = [];
    for (let byte = 1; byte <= 0xff; byte++) {
      if (UNDEFINED.includes(byte)) continue;
      const text = decodeCp1252(Uint8Array.of(byte));
      const hex = byte.toString(16).padStart(2, "0");
      for (const cast of ["$1", "$1::text collate fw.ci"]) {
        const got = await query(`select encode(fw.tsql_cp1252(${cast}), 'hex') as hex`, text);
        if (got !== hex) wrong.push(`${hex} (${cast}): ${got}`);
      }
    }
    expect(wrong).toEqual([]);
    // Under the case-insensitive collation a lookup must still tell œ from Œ.
    expect(await query("select encode(fw.tsql_cp1252($1::text collate fw.ci), 'hex') as hex", "œŒ"))
      .toBe("9c8c");
  });

  test("a character outside CP1252 is an error, not a silent byte", async () => {
    await expect(query("select encode(fw.tsql_cp1252($1), 'hex') as hex", "Ω")).rejects.toThrow();
    // The undefined bytes' C1 controls are refused too (stricter than SQL Server, which keeps them).
    for (const byte of UNDEFINED) {
      await expect(
        query("select encode(fw.tsql_cp1252($1), 'hex') as hex", decodeCp1252(Uint8Array.of(byte))),
      ).rejects.toThrow(/1252/);
    }
  });
});
