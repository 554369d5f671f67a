// Deterministic FerraWin fixtures of any size. Every planilla is a pure function of (seed, index), so a
// 37,000-planilla dataset is produced table by table in passes and never held in memory; the anomalies
// the real database has (unpadded codes, duplicated PROD_DETO/PROD_DETI rows, spirals, blank keys,
// planillas without obra, header-only planillas, millisecond ZFECHACALC) are placed by index so even a
// small fixture contains each of them.
import type { FerrawinFixture, FerrawinRow, FerrawinTable } from "./tables.ts";
import { TABLE_ORDER } from "./tables.ts";
import { seededRandom } from "../random.ts";

/** Planillas per year in the real database (REFERENCE.md), 2026 being the rest of 37,330. */
const YEAR_VOLUMES: [number, number][] = [
  [2018, 279],
  [2019, 1618],
  [2020, 2163],
  [2021, 3068],
  [2022, 4584],
  [2023, 5223],
  [2024, 8145],
  [2025, 7998],
  [2026, 4252],
];

export const SPIRAL_PREFIX = "1\t0d\t1\t0d";
const DIAMETERS = [6, 8, 8, 10, 10, 12, 12, 12, 16, 16, 20, 20, 25, 32];
const CLIENT_NAMES = ["Norte", "Sur", "Levante", "Ibérica", "Castilla"];
const STIRRUP_DIAMETERS = [6, 8, 8, 10];

export interface GeneratorOptions {
  planillas: number;
  seed: number;
}

export interface PlanillaRows {
  head: FerrawinRow;
  bars: FerrawinRow[];
  dets: FerrawinRow[];
  detos: FerrawinRow[];
  detis: FerrawinRow[];
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const pick = <T>(rng: () => number, list: readonly T[]): T =>
  list[Math.floor(rng() * list.length)]!;
const int = (rng: () => number, min: number, max: number) =>
  min + Math.floor(rng() * (max - min + 1));

function sqlDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ${
    pad(d.getUTCHours(), 2)
  }:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}`;
}

/** Number of planillas per year for a dataset of `total`, proportional to the real volumes. */
export function yearAllocation(total: number): [number, number][] {
  const sum = YEAR_VOLUMES.reduce((s, [, v]) => s + v, 0);
  const exact = YEAR_VOLUMES.map(([y, v]) => [y, (v * total) / sum] as const);
  const counts = exact.map(([y, e]) => [y, Math.floor(e)] as [number, number]);
  let left = total - counts.reduce((s, [, c]) => s + c, 0);
  const order = exact.map(([, e], i) => [e - Math.floor(e), i] as const).sort((a, b) =>
    b[0] - a[0]
  );
  for (const [, i] of order) {
    if (left-- <= 0) break;
    counts[i]![1]++;
  }
  return counts;
}

export class FerrawinGenerator {
  readonly planillas: number;
  readonly seed: number;
  readonly projectCount: number;
  private readonly years: [number, number][];

  constructor(options: GeneratorOptions) {
    if (!Number.isInteger(options.planillas) || options.planillas < 0) {
      throw new RangeError(`planillas must be a non-negative integer, got ${options.planillas}`);
    }
    this.planillas = options.planillas;
    this.seed = options.seed >>> 0;
    this.projectCount = Math.max(4, Math.ceil(options.planillas / 40));
    this.years = yearAllocation(options.planillas);
  }

  /** PROJECT rows: obra codes sometimes zero-padded, client codes with leading zeros. */
  *projects(): Generator<FerrawinRow> {
    const rng = seededRandom(this.seed ^ 0x9e3779b9);
    const towns = ["Madrid", "Valencia", "Sevilla", "Bilbao", "Zaragoza", "Málaga"];
    for (let p = 1; p <= this.projectCount; p++) {
      const client = int(rng, 1, Math.max(2, Math.ceil(this.projectCount / 3)));
      yield {
        ZCODIGO: p % 3 === 0 ? pad(p, 5) : String(p),
        ZCODCLI: pad(client, 6),
        // A client keeps one name across its obras.
        ZCLIENTE: `Construcciones ${CLIENT_NAMES[client % CLIENT_NAMES.length]} ${client}`,
        ZNOMBRE: `Obra ${p} ${pick(rng, ["Residencial", "Nave", "Puente", "Hospital", "Colegio"])}`,
        ZPOBLA: pick(rng, towns),
      };
    }
  }

  private projectCode(p: number): string {
    return p % 3 === 0 ? pad(p, 5) : String(p);
  }

  /** (year, sequence number) of planilla `index`. */
  private position(index: number): [number, number] {
    let rest = index;
    for (const [year, count] of this.years) {
      if (rest < count) return [year, rest + 1];
      rest -= count;
    }
    throw new RangeError(`planilla index ${index} out of range`);
  }

  /** All rows of planilla `index` (0-based); the same (seed, index) always gives the same rows. */
  planilla(index: number): PlanillaRows {
    const rng = seededRandom((this.seed * 2654435761 + index * 40503 + 7) >>> 0);
    const [year, seq] = this.position(index);
    const conta = String(year);
    const isBlankKey = index % 97 === 13;
    const codigo = isBlankKey ? "  " : index % 2 === 0 ? String(seq) : pad(seq, 6);
    const isHeaderOnly = index % 53 === 7;
    const obra = index % 37 === 5
      ? `X${index}`
      : index % 74 === 11
      ? null
      : this.projectCode(int(rng, 1, this.projectCount));
    const yearStart = Date.UTC(year, 0, 1);
    const created = yearStart + Math.floor(rng() * 360 * 86_400_000);
    const head: FerrawinRow = {
      ZCONTA: conta,
      ZCODIGO: codigo,
      ZFECHA: sqlDateTime(created - (created % 1000)),
      ZMODULO: `${pick(rng, ["Forjado", "Cimentación", "Pilares", "Muros", "Vigas"])} ${
        int(rng, 1, 9)
      }`,
      ZCODOBRA: obra,
      ZNOMBRE: `Planilla ${conta}/${seq} ${
        pick(rng, ["planta baja", "sótano", "cubierta", "zapatas"])
      }`,
    };
    const rows: PlanillaRows = { head, bars: [], dets: [], detos: [], detis: [] };
    if (isHeaderOnly) return rows;
    const calcBase = created + int(rng, 1, 20) * 86_400_000;
    const lines = int(rng, 2, 8);
    for (let line = 1; line <= lines; line++) {
      const codlin = String(line);
      const elements = int(rng, 4, 18);
      rows.dets.push({
        ZCONTA: conta,
        ZCODIGO: codigo,
        ZORDEN: line,
        ZCODLIN: codlin,
        ZMARCA: `${pick(rng, ["V", "P", "Z", "M"])}-${int(rng, 1, 40)}`,
        ZSITUACION: `Planta ${int(rng, 0, 6)} eje ${pick(rng, ["A", "B", "C", "D"])}`,
        ZCANTIDAD: int(rng, 1, 6),
        ZMEMBERS: int(rng, 1, 4),
        ZCODMODELO: pick(rng, ["VIGA", "PILAR", "ZAPATA", "MURO"]),
      });
      const cotas = `${int(rng, 20, 60) * 10}x${int(rng, 20, 80) * 10}`;
      const detiCopies = rng() < 0.3 ? int(rng, 2, 3) : 1;
      for (let c = 0; c < detiCopies; c++) {
        rows.detis.push({
          ZCONTA: conta,
          ZCODPLA: codigo,
          ZCODLIN: codlin,
          ZCOTAS: cotas,
          ZLONGITUD: int(rng, 100, 1200) * 10,
        });
      }
      for (let e = 1; e <= elements; e++) {
        rows.bars.push(this.bar(rng, { conta, codigo, line, codlin, e, calcBase, index }));
        const copies = rng() < 0.1 ? int(rng, 2, 4) : rng() < 0.1 ? 0 : 1;
        for (let c = 0; c < copies; c++) {
          rows.detos.push({
            ZCONTA: conta,
            ZCODPLA: codigo,
            ZCODLIN: codlin,
            ZELEMENTO: String(e),
            ZETIQUETA: `ET${conta}${pad(seq, 6)}${pad(line, 2)}${pad(e, 3)}`,
          });
        }
      }
    }
    if (index % 11 === 3) {
      rows.bars.push({
        ...rows.bars[0]!,
        ZELEMENTO: "90",
        ZFIGURA: `${SPIRAL_PREFIX}\t80`,
        ZNUMBEND: 0,
      });
    }
    if (index % 19 === 2) {
      rows.bars.push({ ...rows.bars[0]!, ZELEMENTO: "" });
      rows.bars.push({ ...rows.bars[1]!, ZCODLIN: " " });
    }
    return rows;
  }

  private bar(
    rng: () => number,
    p: {
      conta: string;
      codigo: string;
      line: number;
      codlin: string;
      e: number;
      calcBase: number;
      index: number;
    },
  ): FerrawinRow {
    const isSpiral = rng() < 0.01;
    const isStirrup = !isSpiral && p.e > 2 && rng() < 0.3;
    const diameter = isStirrup ? pick(rng, STIRRUP_DIAMETERS) : pick(rng, DIAMETERS);
    let figura: string;
    let length: number;
    let bends: number;
    if (isSpiral) {
      length = int(rng, 200, 800) * 10;
      figura = `${SPIRAL_PREFIX}\t${int(rng, 5, 20) * 10}\t${length}`;
      bends = 0;
    } else if (isStirrup) {
      const a = int(rng, 15, 60) * 10;
      const b = int(rng, 15, 60) * 10;
      figura = `${a}\t90d\t${b}\t90d\t${a}\t90d\t${b}\t135d\t100\t${diameter * 2}r`;
      length = 2 * a + 2 * b + 100;
      bends = 4;
    } else {
      length = int(rng, 100, 1200) * 10;
      figura = String(length);
      bends = 0;
    }
    const quantity = int(rng, 1, 40);
    const weight = Math.round((length / 1000) * diameter * diameter * 0.00617 * quantity * 1000) /
      1000;
    const calc = p.calcBase + Math.floor(rng() * 3_600_000);
    return {
      ZCONTA: p.conta,
      ZCODIGO: p.codigo,
      ZORDEN: p.line,
      ZCODLIN: p.codlin,
      ZELEMENTO: String(p.e),
      ZMARCA: `${isStirrup ? "E" : "L"}${p.e}`,
      ZDIAMETRO: diameter,
      ZCODMODELO: isStirrup ? "EST" : "BAR",
      ZLONGTESTD: length,
      ZNUMBEND: bends,
      ZCANTIDAD: quantity,
      ZPESOTESTD: rng() < 0.05 ? null : weight,
      ZFIGURA: figura,
      ZFECHACALC: rng() < 0.02 ? null : sqlDateTime(calc),
    };
  }

  /** Rows of one table in fixture order, generated lazily. */
  *rows(table: FerrawinTable): Generator<FerrawinRow> {
    if (table === "PROJECT") {
      yield* this.projects();
      return;
    }
    for (let i = 0; i < this.planillas; i++) {
      const p = this.planilla(i);
      if (table === "ORD_HEAD") yield p.head;
      else if (table === "ORD_BAR") yield* p.bars;
      else if (table === "ORD_DET") yield* p.dets;
      else if (table === "PROD_DETO") yield* p.detos;
      else yield* p.detis;
    }
  }

  /** The whole fixture in memory: for tests and small datasets only. */
  toFixture(): FerrawinFixture {
    const fixture = {} as FerrawinFixture;
    for (const table of TABLE_ORDER) fixture[table] = [...this.rows(table)];
    return fixture;
  }

  /** Streams the fixture JSON in chunks of a few hundred KB; memory stays flat for any size. */
  async *json(): AsyncGenerator<string> {
    let chunk = "{";
    for (const [t, table] of TABLE_ORDER.entries()) {
      chunk += `${t === 0 ? "" : ","}\n${JSON.stringify(table)}: [`;
      let first = true;
      for (const row of this.rows(table)) {
        chunk += `${first ? "\n" : ",\n"}${JSON.stringify(row)}`;
        first = false;
        if (chunk.length > 256_000) {
          yield chunk;
          chunk = "";
        }
      }
      chunk += "\n]";
    }
    yield `${chunk}\n}\n`;
  }
}

/** Writes the fixture JSON to `path` without holding it in memory. */
export async function writeFixtureFile(generator: FerrawinGenerator, path: string): Promise<void> {
  const writer = Bun.file(path).writer();
  for await (const chunk of generator.json()) {
    writer.write(chunk);
    await writer.flush();
  }
  await writer.end();
}
