-- Every table of Puente, with the constraints and indexes that say why they exist. Baseline of the
-- history up to 20261123121844 (one file per intent: tables, RLS, helpers, agent RPCs, user RPCs,
-- ingest, grants). Writes happen only through the RPCs of the later files.

-- Operations: agents, the command mailbox, runs with their log and rejects, idempotent ingest
-- batches and per-agent schedules.

create table public.agents (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 100),
  -- Only the SHA-256 of the key (hex) is stored; the key is shown once by create_agent.
  key_hash text not null unique check (key_hash ~ '^[0-9a-f]{64}$'),
  hostname text,
  version text,
  last_seen_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz not null default now()
);

create table public.commands (
  id uuid primary key default gen_random_uuid(),
  -- The web's idempotency key: the same request id never creates a second command.
  request_id uuid not null unique,
  agent_id uuid not null references public.agents (id) on delete cascade,
  source text not null check (source in ('ferrawin', 'wispro')),
  action text not null check (action in ('start', 'pause', 'resume', 'cancel')),
  params jsonb not null default '{}'::jsonb check (jsonb_typeof(params) = 'object'),
  status text not null default 'pending'
    check (status in ('pending', 'claimed', 'done', 'expired', 'rejected')),
  scheduled boolean not null default false,
  created_by uuid,
  run_id uuid,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '15 minutes',
  claimed_at timestamptz,
  done_at timestamptz
);
-- claim_commands looks for an agent's pending commands oldest first.
create index commands_pending_idx on public.commands (agent_id, created_at) where status = 'pending';

create table public.runs (
  id uuid primary key default gen_random_uuid(),
  agent_id uuid not null references public.agents (id) on delete cascade,
  command_id uuid references public.commands (id) on delete set null,
  source text not null check (source in ('ferrawin', 'wispro')),
  mode text not null check (length(mode) between 1 and 32),
  params jsonb not null default '{}'::jsonb,
  status text not null default 'queued'
    check (status in ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled', 'stalled')),
  scheduled boolean not null default false,
  total integer check (total >= 0),
  done integer not null default 0 check (done >= 0),
  -- Counts the server accumulated from the ingest batches (authoritative) ...
  counts jsonb not null default '{}'::jsonb,
  -- ... and the counts the agent reported, kept to compare against on finish.
  reported_counts jsonb not null default '{}'::jsonb,
  cursor jsonb,
  rate_per_s double precision,
  last_item jsonb,
  error jsonb,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  updated_at timestamptz not null default now(),
  finished_at timestamptz
);
alter table public.commands
  add constraint commands_run_fk foreign key (run_id) references public.runs (id) on delete set null;
-- One active run per agent and source, enforced by the index so that two racing opens cannot both win.
create unique index runs_one_active_idx on public.runs (agent_id, source)
  where status in ('queued', 'running', 'paused');
create index runs_created_idx on public.runs (created_at desc);

create table public.run_events (
  id bigint generated always as identity primary key,
  run_id uuid not null references public.runs (id) on delete cascade,
  level text not null check (level in ('debug', 'info', 'warn', 'error')),
  message text not null,
  at timestamptz not null default now()
);
create index run_events_run_idx on public.run_events (run_id, at);

create table public.run_rejects (
  id bigint generated always as identity primary key,
  run_id uuid not null references public.runs (id) on delete cascade,
  record_key text not null,
  reason text not null
    check (reason in ('missing_obra', 'blank_key', 'missing_id_number', 'ambiguous_match', 'invalid_record')),
  detail text,
  -- May hold personal data (customers): only admins read it, through run_detail.
  payload jsonb,
  at timestamptz not null default now()
);
create index run_rejects_run_idx on public.run_rejects (run_id);
-- planilla_fingerprints looks up the latest missing_obra reject per planilla.
create index run_rejects_key_idx on public.run_rejects (reason, record_key, at desc);

-- What makes batches idempotent: a replayed (run_id, seq) finds its first answer here.
create table public.ingest_batches (
  run_id uuid not null references public.runs (id) on delete cascade,
  seq integer not null check (seq >= 0),
  result jsonb not null,
  created_at timestamptz not null default now(),
  primary key (run_id, seq)
);

create table public.schedules (
  agent_id uuid not null references public.agents (id) on delete cascade,
  source text not null check (source in ('ferrawin', 'wispro')),
  interval_minutes integer check (interval_minutes in (2, 5, 15, 30, 60, 120, 240)),
  next_due_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (agent_id, source)
);

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

-- The Wispro replica: customers, matched by wispro_id and else by the normalised id number.

create table public.customers (
  id uuid primary key default gen_random_uuid(),
  wispro_id uuid not null unique,
  public_id integer,
  custom_id text,
  name text not null,
  email text,
  phone text,
  phone_mobile text,
  national_id_raw text,
  -- Unique on purpose: the id number is the matching key when the wispro_id is new (a person
  -- re-created in Wispro). One local row per person makes a match by id number either none or one,
  -- so ambiguity can only be "the wispro_id points at one row and the id number at another", which
  -- ingest_customers rejects as ambiguous_match instead of guessing.
  id_number text not null unique check (id_number ~ '^[VEJGP]-\d{1,20}$'),
  zone text,
  address text,
  city text,
  details text,
  wispro_created_at timestamptz,
  wispro_updated_at timestamptz,
  first_synced_at timestamptz not null default now(),
  synced_at timestamptz not null default now(),
  last_run_id uuid references public.runs (id) on delete set null,
  -- Which run inserted a customer: "new customer" must be exact, not guessed from timestamps.
  first_run_id uuid references public.runs (id) on delete set null
);

-- Customer portal accounts: the ledger that makes an account happen once per customer, survives a
-- replayed batch, and records why a customer got no account. The Auth user itself is made by the
-- edge through GoTrue's admin API. No password is ever stored or logged here.

create table public.portal_accounts (
  customer_id uuid primary key references public.customers (id) on delete cascade,
  -- Lower-cased as GoTrue stores it.
  email text not null check (email = lower(email) and length(email) between 3 and 320),
  -- pending: to be created (claimed, or a try that met an Auth outage and is retried later);
  -- created: the edge made the Auth user; email_taken: an Auth user with this email already
  -- existed (its credentials were left alone); shared_email: another new customer in the same
  -- batch has this email and got the account; refused: GoTrue refused it (e.g. a weak password).
  status text not null default 'pending'
    check (status in ('pending', 'created', 'email_taken', 'shared_email', 'refused')),
  auth_user_id uuid,
  detail text check (length(detail) <= 500),
  -- The run that claimed it.
  run_id uuid references public.runs (id) on delete set null,
  created_at timestamptz not null default now(),
  settled_at timestamptz
);
create index portal_accounts_pending_idx on public.portal_accounts (customer_id)
  where status = 'pending';
