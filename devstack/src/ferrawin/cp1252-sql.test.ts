// tsql_cp1252 (tsql-functions.ts) gives a varchar's CP1252 bytes on both of the stand-in's engines:
// PostgreSQL's WIN1252 conversion, and on PGlite (no conversion modules) its own encoding. Checked
// against the byte table of ../sqlserver/cp1252.ts: every byte CP1252 defines, mixed text, input under
// the nondeterministic Modern_Spanish_CI_AS collation, and characters CP1252 lacks.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { decodeCp1252, encodeCp1252 } from "../sqlserver/cp1252.ts";
import {
  startSystemCluster,
  systemBinariesPresent,
  type SystemCluster,
} from "../postgres/system-cluster.ts";
import { tsqlFunctionsSql } from "./tsql-functions.ts";

const SCHEMA = "cp";
const setup = (hasWin1252: boolean) =>
  `create schema ${SCHEMA};
create collation ${SCHEMA}.ci (provider = icu, locale = 'es@colStrength=secondary', deterministic = false);
${tsqlFunctionsSql(SCHEMA, hasWin1252)}`;

/** The five bytes code page 1252 leaves undefined (they read as the same-numbered C1 controls). */
const UNDEFINED = [0x81, 0x8d, 0x8f, 0x90, 0x9d];
/** Every byte CP1252 defines but NUL, as the text SQL Server shows for it. */
const ALL_BYTES = Array.from({ length: 255 }, (_, i) => i + 1).filter((b) =>
  !UNDEFINED.includes(b)
);
const MIXED = "Cimentación planta 2ª — Ñandú «€ 1.234,5» Š œ ÿ";

interface Engine {
  hex(text: string, collated?: boolean): Promise<string>;
  close(): Promise<void>;
}

const query = (collated: boolean) =>
  `select encode(${SCHEMA}.tsql_cp1252($1::text${
    collated ? ` collate ${SCHEMA}.ci` : ""
  }), 'hex') as hex`;

async function pgliteEngine(): Promise<Engine> {
  const db = await PGlite.create();
  await db.exec(setup(false));
  return {
    async hex(text, collated = false) {
      return (await db.query<{ hex: string }>(query(collated), [text])).rows[0]!.hex;
    },
    close: () => db.close(),
  };
}

async function systemEngine(cluster: SystemCluster): Promise<Engine> {
  const sql = postgres(cluster.url, { max: 1, onnotice: () => {} });
  await sql.unsafe(setup(true));
  return {
    async hex(text, collated = false) {
      const [row] = await sql.unsafe(query(collated), [text]);
      return String(row!.hex);
    },
    close: () => sql.end(),
  };
}

const engines: [string, () => Promise<Engine>][] = [["PGlite", pgliteEngine]];
let cluster: SystemCluster | undefined;
if (systemBinariesPresent()) {
  engines.push(["PostgreSQL 15", async () => {
    cluster = await startSystemCluster();
    return systemEngine(cluster);
  }]);
}

for (const [name, start] of engines) {
  describe(`tsql_cp1252 on ${name}`, () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await start();
    }, 120_000);
    afterAll(async () => {
      await engine?.close();
      if (name !== "PGlite") await cluster?.stop();
    }, 60_000);

    test("every byte CP1252 defines comes back as itself", async () => {
      const wrong: string[] = [];
      for (const byte of ALL_BYTES) {
        const text = decodeCp1252(Uint8Array.of(byte));
        const hex = await engine.hex(text);
        if (hex !== byte.toString(16).padStart(2, "0")) wrong.push(`${byte}: ${hex}`);
      }
      expect(wrong).toEqual([]);
    }, 60_000);

    test("mixed Spanish text, also under Modern_Spanish_CI_AS, matches the JavaScript encoder", async () => {
      const expected = encodeCp1252(MIXED).toString("hex");
      expect(await engine.hex(MIXED)).toBe(expected);
      expect(await engine.hex(MIXED, true)).toBe(expected);
      expect(await engine.hex("ASCII only")).toBe(Buffer.from("ASCII only").toString("hex"));
    });

    test("a character outside code page 1252 is an error", async () => {
      await expect(engine.hex("obra 漢")).rejects.toThrow(/code page 1252|WIN1252/);
      // The undefined bytes' C1 controls are refused too (stricter than SQL Server, which keeps them).
      for (const byte of UNDEFINED) {
        await expect(engine.hex(decodeCp1252(Uint8Array.of(byte)))).rejects.toThrow(/1252/);
      }
      // The engine still answers afterwards.
      expect(await engine.hex("ñ")).toBe("f1");
    });
  });
}
