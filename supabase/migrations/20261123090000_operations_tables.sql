-- Operations: agents, the command mailbox, runs with their log and rejects, idempotent ingest
-- batches and per-agent schedules. Writes happen only through the RPCs of later migrations.

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
