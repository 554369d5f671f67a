-- The FerraWin replica: clientes, obras, planillas with their elementos and entidades.
-- Check constraints repeat the protocol's rules so the database never holds what FerraWin cannot.

create table public.clientes (
  -- Stored without leading zeros: FerraWin writes the same code both ways.
  codigo text primary key check (codigo <> '' and codigo !~ '^0.' and codigo !~ '^\s'),
  nombre text,
  first_synced_at timestamptz not null default now(),
  synced_at timestamptz not null default now()
);

create table public.obras (
  codigo text primary key check (codigo <> '' and codigo !~ '^0.' and codigo !~ '^\s'),
  nombre text,
  cliente_codigo text references public.clientes (codigo),
  first_synced_at timestamptz not null default now(),
  synced_at timestamptz not null default now()
);

create table public.planillas (
  codigo text primary key check (codigo ~ '^\d{4}-\d{6}$'),
  zconta integer not null check (zconta between 1990 and 2200),
  descripcion text,
  seccion text,
  ensamblado text,
  obra_codigo text not null references public.obras (codigo),
  fecha_creacion timestamptz,
  fecha_calculo timestamptz,
  peso_total_kg numeric(14, 3) not null default 0 check (peso_total_kg >= 0),
  elementos_count integer not null default 0 check (elementos_count >= 0),
  fingerprint text not null check (fingerprint <> ''),
  first_synced_at timestamptz not null default now(),
  synced_at timestamptz not null default now(),
  last_run_id uuid references public.runs (id) on delete set null,
  -- The code is ZCONTA-ZCODIGO: its year part must be the planilla's ZCONTA.
  constraint planillas_codigo_zconta check (left(codigo, 4) = zconta::text)
);
-- year_status and planilla_fingerprints filter by year.
create index planillas_zconta_idx on public.planillas (zconta, codigo);

-- No foreign key to planillas, on purpose: its per-row RI check halved first-load ingest speed
-- (measured: 14.5k vs 27k rows/s). The invariant is kept by the only writer, ingest_planillas, which
-- writes a planilla's header before its elementos in the same transaction, and nothing deletes
-- planillas (supabase/tests/004_ingest_planillas.sql checks that no elemento is orphaned).
create table public.elementos (
  planilla_codigo text not null,
  ferrawin_id text not null check (ferrawin_id ~ '^[^-\s]+-[^-\s]+$'),
  fila integer not null check (fila >= 0),
  marca text,
  descripcion_fila text,
  diametro_mm numeric(8, 2) not null check (diametro_mm between 0 and 100),
  figura text,
  longitud_mm numeric(14, 2) check (longitud_mm >= 0),
  dobleces integer check (dobleces >= 0),
  barras integer check (barras >= 0),
  peso_kg numeric(14, 3) check (peso_kg >= 0),
  dimensiones text,
  etiqueta text,
  primary key (planilla_codigo, ferrawin_id)
);

-- No foreign key to planillas, for the same reason and with the same guarantee as elementos.
create table public.entidades (
  planilla_codigo text not null,
  linea text not null check (linea <> ''),
  marca text,
  situacion text,
  cantidad integer check (cantidad >= 0),
  miembros integer check (miembros >= 0),
  modelo text,
  cotas text,
  composicion jsonb,
  distribucion jsonb,
  primary key (planilla_codigo, linea)
);
