// `bun bench/db/run.ts`: loads 1,000,000 elementos through ingest_planillas in batches, the same rows
// through COPY into a table of the same shape, and then re-ingests the unchanged rows. Prints rows/s
// and the ratio to COPY, and writes bench/results/db.json.
import postgres from "postgres";
import { applyMigrations, createAgent, startPostgres } from "../../devstack/src/postgres/index.ts";
import { writeResult } from "../results.ts";

const TOTAL_ELEMENTOS = Number(process.env.PUENTE_BENCH_ELEMENTOS ?? 1_000_000);
const PER_PLANILLA = 56;
const PLANILLAS_PER_BATCH = 50;

interface BenchElemento {
  ferrawin_id: string;
  fila: number;
  marca: string;
  descripcion_fila: string | null;
  diametro_mm: number;
  figura: string;
  longitud_mm: number;
  dobleces: number;
  barras: number;
  peso_kg: number;
  dimensiones: string | null;
  etiqueta: string;
}

interface BenchPlanilla {
  codigo: string;
  zconta: number;
  descripcion: string;
  seccion: string | null;
  ensamblado: string | null;
  obra: { codigo: string; nombre: string; cliente: { codigo: string; nombre: string } };
  fecha_creacion: string;
  fecha_calculo: string;
  peso_total_kg: number;
  fingerprint: string;
  elementos: BenchElemento[];
  entidades: never[];
}

/** Deterministic planillas shaped like FerraWin's (about 56 bars each). */
function makePlanillas(): BenchPlanilla[] {
  const planillas: BenchPlanilla[] = [];
  let left = TOTAL_ELEMENTOS;
  for (let p = 1; left > 0; p++) {
    const count = Math.min(PER_PLANILLA, left);
    left -= count;
    const elementos: BenchElemento[] = [];
    for (let i = 1; i <= count; i++) {
      const diametro = [8, 10, 12, 16, 20, 25][(p + i) % 6]!;
      const longitud = 500 + ((p * 37 + i * 101) % 11_500);
      elementos.push({
        ferrawin_id: `${1 + (i % 7)}-${i}`,
        fila: i,
        marca: `M${i}`,
        descripcion_fila: i % 3 === 0 ? `Viga ${i}` : null,
        diametro_mm: diametro,
        figura: `${longitud}\t90d\t${Math.round(longitud / 3)}`,
        longitud_mm: longitud,
        dobleces: i % 4,
        barras: 1 + (i % 12),
        peso_kg: Math.round(longitud * diametro * diametro * 0.00617) / 1000,
        dimensiones: i % 5 === 0 ? "A=345 B=120" : null,
        etiqueta: `E${p}-${i}`,
      });
    }
    const year = 2000 + (p % 26);
    planillas.push({
      codigo: `${year}-${String(p).padStart(6, "0")}`,
      zconta: year,
      descripcion: `Planilla ${p}`,
      seccion: null,
      ensamblado: null,
      obra: {
        codigo: String(100 + (p % 500)),
        nombre: `Obra ${p % 500}`,
        cliente: { codigo: String(1 + (p % 80)), nombre: `Cliente ${p % 80}` },
      },
      fecha_creacion: "2026-01-02T03:04:05.000Z",
      fecha_calculo: "2026-01-03T03:04:05.000Z",
      peso_total_kg: Math.round(elementos.reduce((s, e) => s + e.peso_kg, 0) * 1000) / 1000,
      fingerprint: `${count}:${p}`,
      elementos,
      entidades: [],
    });
  }
  return planillas;
}

function copyLine(planilla: string, e: BenchElemento): string {
  const v = (x: string | number | null) =>
    x === null ? "\\N" : String(x).replaceAll("\\", "\\\\").replaceAll("\t", "\\t");
  return [
    planilla,
    e.ferrawin_id,
    e.fila,
    e.marca,
    e.descripcion_fila,
    e.diametro_mm,
    e.figura,
    e.longitud_mm,
    e.dobleces,
    e.barras,
    e.peso_kg,
    e.dimensiones,
    e.etiqueta,
  ].map(v).join("\t") + "\n";
}

const pg = await startPostgres({ settings: { shared_buffers: "512MB", max_wal_size: "8GB" } });
try {
  await applyMigrations(pg.url);
  const agent = await createAgent(pg.url, "bench");
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  try {
    await sql`set role service_role`;
    const [opened] = await sql<{ r: { id: string } }[]>`
      select public.open_run(${agent.key}, '{"source":"ferrawin","params":{"mode":"all"}}') as r`;
    const runId = opened!.r.id;
    const planillas = makePlanillas();
    const batches: string[] = [];
    for (let i = 0; i < planillas.length; i += PLANILLAS_PER_BATCH) {
      batches.push(JSON.stringify({
        v: 1,
        kind: "planillas",
        seq: batches.length,
        rejects: [],
        planillas: planillas.slice(i, i + PLANILLAS_PER_BATCH),
      }));
    }
    const ingestAll = async (seqOffset: number) => {
      const counts = { created: 0, unchanged: 0 };
      const started = performance.now();
      for (const [i, batch] of batches.entries()) {
        const [row] = await sql<
          { r: { counts: { elementos: { created: number; unchanged: number } } } }[]
        >`select public.ingest_planillas(${agent.key}, ${runId}, ${
          seqOffset + i
        }, (${batch}::text)::jsonb) as r`;
        counts.created += row!.r.counts.elementos.created;
        counts.unchanged += row!.r.counts.elementos.unchanged;
      }
      return { seconds: (performance.now() - started) / 1000, ...counts };
    };

    console.log(
      `db bench: ${TOTAL_ELEMENTOS} elementos in ${planillas.length} planillas, ${batches.length} batches`,
    );
    const first = await ingestAll(0);
    if (first.created !== TOTAL_ELEMENTOS) {
      throw new Error(`first load created ${first.created} of ${TOTAL_ELEMENTOS} elementos`);
    }
    const again = await ingestAll(batches.length);
    if (again.unchanged !== TOTAL_ELEMENTOS) {
      throw new Error(`re-ingest found ${again.unchanged} of ${TOTAL_ELEMENTOS} unchanged`);
    }

    await sql`reset role`;
    await sql`create table public.bench_elementos (like public.elementos including all)`;
    const copyStarted = performance.now();
    const writable = await sql`copy public.bench_elementos from stdin`.writable();
    await new Promise<void>((resolve, reject) => {
      writable.on("error", reject);
      writable.on("finish", resolve);
      let chunk = "";
      for (const planilla of planillas) {
        for (const e of planilla.elementos) chunk += copyLine(planilla.codigo, e);
        if (chunk.length > 1 << 20) {
          writable.write(chunk);
          chunk = "";
        }
      }
      writable.end(chunk);
    });
    const copySeconds = (performance.now() - copyStarted) / 1000;
    const [copied] = await sql<
      { n: number }[]
    >`select count(*)::int as n from public.bench_elementos`;
    if (copied?.n !== TOTAL_ELEMENTOS) throw new Error(`COPY stored ${copied?.n} rows`);
    const [version] = await sql<{ v: string }[]>`select current_setting('server_version') as v`;

    const ingestRate = TOTAL_ELEMENTOS / first.seconds;
    const copyRate = TOTAL_ELEMENTOS / copySeconds;
    const reingestRate = TOTAL_ELEMENTOS / again.seconds;
    writeResult(
      "db",
      {
        ingest_rows_per_s: Math.round(ingestRate),
        copy_rows_per_s: Math.round(copyRate),
        ratio_vs_copy: Math.round((ingestRate / copyRate) * 1000) / 1000,
        reingest_rows_per_s: Math.round(reingestRate),
      },
      { postgres: version?.v ?? "unknown", "postgres.js": "3.4.9" },
      {
        elementos: TOTAL_ELEMENTOS,
        planillas: planillas.length,
        batches: batches.length,
        planillas_per_batch: PLANILLAS_PER_BATCH,
        connections: 1,
        note:
          "one connection each; COPY into a table like elementos: same columns and primary key, neither has a foreign key",
      },
    );
  } finally {
    await sql.end();
  }
} finally {
  await pg.stop();
}
