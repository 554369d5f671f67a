// The hosted Supabase base and every migration also run on PGlite (PostgreSQL 18), and the core RPC
// path works there: create an agent, claim, open a run, ingest a batch, replay it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { PGlite } from "@electric-sql/pglite";
import { startHostedPGlite } from "./pglite.ts";

let db: PGlite;

beforeAll(async () => {
  db = await startHostedPGlite();
}, 120_000);

afterAll(async () => {
  await db?.close();
});

async function as<T>(claims: object | null, role: string, sql: string, params: unknown[] = []) {
  return await db.transaction(async (tx) => {
    await tx.exec(`set local role ${role}`);
    if (claims) {
      await tx.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(claims)]);
    }
    return (await tx.query<T>(sql, params)).rows;
  });
}

const admin = { role: "authenticated", app_metadata: { role: "admin" } };

/** A new agent (created by an admin) with a FerraWin run open; returns its key and the run's id. */
async function agentWithRun(name: string, params: object) {
  const [created] = await as<{ r: { key: string } }>(
    admin,
    "authenticated",
    "select public.create_agent($1) as r",
    [name],
  );
  const key = created!.r.key;
  const [opened] = await as<{ r: { id: string } }>(
    null,
    "service_role",
    "select public.open_run($1, $2::jsonb) as r",
    [key, JSON.stringify({ source: "ferrawin", params })],
  );
  return { key, runId: opened!.r.id };
}

/** An elemento of fila 1: Ø12, 100 mm, 2 kg. */
const elemento = (ferrawinId: string, barras: number) => ({
  ferrawin_id: ferrawinId,
  fila: 1,
  marca: null,
  descripcion_fila: null,
  diametro_mm: 12,
  figura: null,
  longitud_mm: 100,
  dobleces: 0,
  barras,
  peso_kg: 2,
  dimensiones: null,
  etiqueta: null,
});

test("migrations run on PGlite's PostgreSQL 18", async () => {
  const [row] =
    (await db.query<{ v: string }>("select current_setting('server_version') as v")).rows;
  expect(Number(row!.v.split(".")[0])).toBeGreaterThanOrEqual(18);
});

test("PGlite has hosted Supabase's roles, timeouts, default privileges and auth ownership", async () => {
  const roles =
    (await db.query<{ rolname: string; rolbypassrls: boolean; rolconfig: string[] | null }>(
      `select rolname, rolbypassrls, rolconfig from pg_roles
     where rolname in ('anon', 'authenticated', 'service_role', 'authenticator', 'supabase_admin')
     order by rolname`,
    )).rows;
  expect(roles.map((r) => r.rolname)).toEqual([
    "anon",
    "authenticated",
    "authenticator",
    "service_role",
    "supabase_admin",
  ]);
  expect(roles.find((r) => r.rolname === "anon")!.rolconfig).toContain("statement_timeout=3s");
  expect(roles.find((r) => r.rolname === "authenticated")!.rolconfig).toContain(
    "statement_timeout=8s",
  );
  expect(roles.find((r) => r.rolname === "authenticator")!.rolconfig).toContain(
    "statement_timeout=8s",
  );
  const [auth] = (await db.query<{ owner: string }>(
    "select nspowner::regrole::text as owner from pg_namespace where nspname = 'auth'",
  )).rows;
  expect(auth!.owner).toBe("supabase_auth_admin");
  const defaults = (await db.query<{ acl: string }>(
    `select unnest(defaclacl)::text as acl from pg_default_acl d
     join pg_namespace n on n.oid = d.defaclnamespace
     where n.nspname = 'public' and d.defaclrole = 'postgres'::regrole and d.defaclobjtype = 'r'`,
  )).rows.map((r) => r.acl);
  expect(defaults).toContain("anon=arwdDxtm/postgres");
});

test("agent, run and an ingest batch work on PGlite, and a replay changes nothing", async () => {
  const { key, runId } = await agentWithRun("pglite", { mode: "all" });
  const batch = {
    v: 1,
    kind: "planillas",
    seq: 0,
    rejects: [],
    planillas: [{
      codigo: "2026-000001",
      zconta: 2026,
      descripcion: null,
      seccion: null,
      ensamblado: null,
      obra: { codigo: "012", nombre: "Obra", cliente: null },
      fecha_creacion: null,
      fecha_calculo: null,
      peso_total_kg: 2,
      fingerprint: "f",
      elementos: [elemento("1-1", 1)],
      entidades: [],
    }],
  };
  const ingest = () =>
    as<{ r: { replayed: boolean; counts: { elementos: { created: number } } } }>(
      null,
      "service_role",
      "select public.ingest_planillas($1, $2, 0, $3::jsonb) as r",
      [key, runId, JSON.stringify(batch)],
    );
  const [first] = await ingest();
  expect(first!.r.replayed).toBe(false);
  expect(first!.r.counts.elementos.created).toBe(1);
  const [again] = await ingest();
  expect(again!.r.replayed).toBe(true);
  const [obra] = (await db.query<{ codigo: string }>("select codigo from public.obras")).rows;
  expect(obra!.codigo).toBe("12");
}, 30_000);

test("a revoked agent key is refused on PGlite too", async () => {
  const [created] = await as<{ r: { agentId: string; key: string } }>(
    admin,
    "authenticated",
    "select public.create_agent('to revoke') as r",
  );
  await as(admin, "authenticated", "select public.revoke_agent($1)", [created!.r.agentId]);
  await expect(
    as(null, "service_role", "select public.authenticate_agent($1)", [created!.r.key]),
  ).rejects.toThrow("revoked");
}, 30_000);

test("the planilla journal and the Planillas screen's reads work on PGlite", async () => {
  const { key, runId } = await agentWithRun("journal", { mode: "one", code: "2026-000077" });
  const planilla = (fingerprint: string, elementos: object[]) => ({
    codigo: "2026-000077",
    zconta: 2026,
    descripcion: fingerprint,
    seccion: null,
    ensamblado: null,
    obra: { codigo: "12", nombre: "Obra", cliente: null },
    fecha_creacion: null,
    fecha_calculo: null,
    peso_total_kg: 2 * elementos.length,
    fingerprint,
    elementos,
    entidades: [],
  });
  for (
    const [seq, p] of [
      planilla("a", [elemento("1-1", 4)]),
      planilla("b", [elemento("1-1", 16), elemento("1-2", 1)]),
      planilla("b", [elemento("1-1", 16), elemento("1-2", 1)]),
    ].entries()
  ) {
    await as(null, "service_role", "select public.ingest_planillas($1, $2, $3, $4::jsonb)", [
      key,
      runId,
      seq,
      JSON.stringify({ v: 1, kind: "planillas", seq, rejects: [], planillas: [p] }),
    ]);
  }
  const [journal] = await as<
    { r: { entries: { kind: string; changed: unknown; added: unknown[] }[] } }
  >(
    admin,
    "authenticated",
    "select public.planilla_journal('26-77') as r",
  );
  expect(journal!.r.entries.map((e) => e.kind)).toEqual(["updated", "created"]);
  expect(journal!.r.entries[0]!.changed).toEqual([
    { ferrawin_id: "1-1", fila: 1, fields: { barras: { old: 4, new: 16 } } },
  ]);
  expect(journal!.r.entries[0]!.added).toHaveLength(1);
  const [found] = await as<{ r: { codigo: string; found: boolean } }>(
    admin,
    "authenticated",
    "select public.find_planillas('2026/77') as r",
  );
  expect(found!.r).toMatchObject({ codigo: "2026-000077", found: true });
  const [status] = await as<{ r: { in_cloud: boolean; elementos_count: number } }>(
    admin,
    "authenticated",
    "select public.planilla_status('2026-77') as r",
  );
  expect(status!.r).toMatchObject({ in_cloud: true, elementos_count: 2 });
  const [elementos] = await as<{ r: { items: unknown[]; totals: { barras: number } } }>(
    admin,
    "authenticated",
    "select public.planilla_elementos('2026-77') as r",
  );
  expect(elementos!.r.items).toHaveLength(2);
  expect(elementos!.r.totals.barras).toBe(17);
}, 60_000);
