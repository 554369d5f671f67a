// A FerraWin database as old Spanish installs hold it: varchar/char under Modern_Spanish_CI_AS, codes
// whose case and trailing spaces differ between tables (SQL Server calls them equal), accents and ñ in
// CP1252. The compiled agent and the agent from source both land it exactly: every bar with its entity,
// label and dimensions, entities grouped as SQL Server groups their lines, text unchanged.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { agentSpawnOptions } from "../../devstack/src/agent-process.ts";
import { agentEnv } from "../../devstack/src/stack.ts";
import type { FerrawinFixture } from "../../devstack/src/ferrawin/tables.ts";
import {
  bootStack,
  runToEnd,
  type Stack,
  type SyncOutcome,
  syncOutcome,
  tableChecksums,
} from "./support.ts";

const root = join(import.meta.dir, "..", "..");

const bar = (zcodigo: string, zcodlin: string, zelemento: string, zmarca: string) => ({
  ZCONTA: "2026",
  ZCODIGO: zcodigo,
  ZORDEN: 1,
  ZCODLIN: zcodlin,
  ZELEMENTO: zelemento,
  ZMARCA: zmarca,
  ZDIAMETRO: 12,
  ZCODMODELO: "M1",
  ZLONGTESTD: 1500,
  ZNUMBEND: 0,
  ZCANTIDAD: 4,
  ZPESOTESTD: 1.332,
  ZFIGURA: "1500",
  ZFECHACALC: "2026-03-04 05:06:07.000",
});

const det = (zcodigo: string, zcodlin: string, zmarca: string, zsituacion: string) => ({
  ZCONTA: "2026",
  ZCODIGO: zcodigo,
  ZORDEN: 1,
  ZCODLIN: zcodlin,
  ZMARCA: zmarca,
  ZSITUACION: zsituacion,
  ZCANTIDAD: 2,
  ZMEMBERS: 1,
  ZCODMODELO: "M1",
});

const FIXTURE: FerrawinFixture = {
  PROJECT: [{
    ZCODIGO: "ob1",
    ZCODCLI: "c7",
    ZCLIENTE: "Construcciones Peña",
    ZNOMBRE: "Edificio Ñandú",
    ZPOBLA: "Logroño",
  }],
  ORD_HEAD: [
    {
      ZCONTA: "2026",
      ZCODIGO: "886",
      ZFECHA: "2026-03-01 00:00:00.000",
      ZMODULO: "Módulo A",
      ZCODOBRA: "OB1 ",
      ZNOMBRE: "Losa año",
    },
    {
      ZCONTA: "2026",
      ZCODIGO: "000887 ",
      ZFECHA: "2026-03-02 00:00:00.000",
      ZMODULO: "Sótano",
      ZCODOBRA: "ob1",
      ZNOMBRE: "Muro ÑU",
    },
  ],
  ORD_BAR: [
    bar("886 ", "a1", "1", "Ábaco"),
    bar("886", "A1 ", "2", "ñandú"),
    bar("886", "B2", "1", "Niño"),
    bar("000887", "C3", "1", "Muro"),
  ],
  ORD_DET: [
    det("886", "A1", "Viga Peña", "Planta 1ª"),
    det("886", "b2 ", "Pilar Ñ", "Sótano"),
    det("000887", "c3", "Muro norte", "Exterior"),
  ],
  PROD_DETO: [
    { ZCONTA: "2026", ZCODPLA: "886", ZCODLIN: "A1 ", ZELEMENTO: "1", ZETIQUETA: "Etq ñ-1" },
    { ZCONTA: "2026", ZCODPLA: "886", ZCODLIN: "a1", ZELEMENTO: "2 ", ZETIQUETA: "Etq Ü-2" },
  ],
  PROD_DETI: [
    { ZCONTA: "2026", ZCODPLA: "886 ", ZCODLIN: "a1", ZCOTAS: "a=300 ñ", ZLONGITUD: 300 },
  ],
};

/** What must land, field by field (ordered by planilla code, then fila / linea). */
const EXPECTED = {
  planillas: [
    ["2026-000886", "Losa año", "Módulo A", "ob1", 3],
    ["2026-000887", "Muro ÑU", "Sótano", "ob1", 1],
  ],
  elementos: [
    ["2026-000886", "a1-1", 1, "Ábaco", "Planta 1ª", "Etq ñ-1", "a=300 ñ"],
    ["2026-000886", "A1-2", 2, "ñandú", "Planta 1ª", "Etq Ü-2", "a=300 ñ"],
    ["2026-000886", "B2-1", 3, "Niño", "Sótano", null, null],
    ["2026-000887", "C3-1", 1, "Muro", "Exterior", null, null],
  ],
  entidades: [
    ["2026-000886", "B2", "Pilar Ñ", "Sótano"],
    ["2026-000886", "a1", "Viga Peña", "Planta 1ª"],
    ["2026-000887", "C3", "Muro norte", "Exterior"],
  ],
  obras: [["ob1", "Edificio Ñandú", "c7"]],
  clientes: [["c7", "Construcciones Peña"]],
};

let stack: Stack;
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "puente-collation-"));
  const fixtureFile = join(workDir, "ferrawin-collation.json");
  writeFileSync(fixtureFile, JSON.stringify(FIXTURE));
  stack = await bootStack({ ferrawinFixture: fixtureFile });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

function run(cmd: string[], env: Record<string, string>, cwd: string): Promise<SyncOutcome> {
  return syncOutcome({ cmd, cwd, env }, cmd.join(" "));
}

async function landed(): Promise<Record<keyof typeof EXPECTED, unknown[][]>> {
  const sql = postgres(stack.info.dbUrl, { max: 1, onnotice: () => {} });
  try {
    const planillas = await sql.unsafe(
      `select p.codigo, p.descripcion, p.seccion, p.obra_codigo,
         (select count(*)::int from public.elementos e where e.planilla_codigo = p.codigo)
       from public.planillas p order by p.codigo collate "C"`,
    ).values();
    const elementos = await sql.unsafe(
      `select planilla_codigo, ferrawin_id, fila, marca, descripcion_fila, etiqueta, dimensiones
       from public.elementos order by planilla_codigo collate "C", fila`,
    ).values();
    const entidades = await sql.unsafe(
      `select planilla_codigo, linea, marca, situacion from public.entidades
       order by planilla_codigo collate "C", linea collate "C"`,
    ).values();
    const obras = await sql.unsafe(`select codigo, nombre, cliente_codigo from public.obras`)
      .values();
    const clientes = await sql.unsafe(`select codigo, nombre from public.clientes`).values();
    const plain = (rows: Iterable<Iterable<unknown>>) => [...rows].map((row) => [...row]);
    return {
      planillas: plain(planillas),
      elementos: plain(elementos),
      entidades: plain(entidades),
      obras: plain(obras),
      clientes: plain(clientes),
    };
  } finally {
    await sql.end();
  }
}

describe("a Modern_Spanish_CI_AS FerraWin database", () => {
  test("the compiled agent lands it exactly", async () => {
    const outDir = join(workDir, "build");
    const { out: buildOut, err: buildErr, code: buildCode } = await runToEnd({
      cmd: [
        process.execPath,
        join(root, "agent", "build.ts"),
        "linux-x64",
        "--out-dir",
        outDir,
        "--no-smoke",
      ],
      cwd: root,
    });
    if (buildCode !== 0) console.error((buildOut + buildErr).slice(-4000));
    expect(buildCode).toBe(0);
    const home = join(workDir, "binary-home");
    const outcome = await run(
      [join(outDir, "puente-agent-linux-x64"), "sync", "ferrawin", "--json", "--mode", "all"],
      {
        ...process.env,
        ...agentEnv(stack.info),
        PUENTE_LOG_DIR: home,
        PUENTE_STATE_DIR: join(home, "state"),
      } as Record<string, string>,
      workDir,
    );
    expect(outcome.status).toBe("completed");
    expect(outcome.counts.planillas).toMatchObject({ created: 2, rejected: 0 });
    expect(await landed()).toEqual(EXPECTED);
  }, 180_000);

  test(
    "the agent from source finds it identical, and incremental finds nothing to send",
    async () => {
      const home = mkdtempSync(join(workDir, "source-home-"));
      const before = await tableChecksums(stack.info.dbUrl);
      const all = await run(
        agentSpawnOptions(stack.info, ["sync", "ferrawin", "--json", "--mode", "all"], home).cmd,
        agentSpawnOptions(stack.info, [], home).env as Record<string, string>,
        home,
      );
      expect(all.status).toBe("completed");
      expect(all.counts.planillas).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
      expect(await landed()).toEqual(EXPECTED);
      const incremental = await run(
        agentSpawnOptions(stack.info, ["sync", "ferrawin", "--json"], home).cmd,
        agentSpawnOptions(stack.info, [], home).env as Record<string, string>,
        home,
      );
      expect(incremental.done).toBe(0);
      const after = await tableChecksums(stack.info.dbUrl);
      for (const table of ["public.planillas", "public.elementos", "public.entidades"]) {
        expect({ table, sum: after[table] }).toEqual({ table, sum: before[table] });
      }
    },
    120_000,
  );
});
