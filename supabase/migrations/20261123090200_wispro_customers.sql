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
  last_run_id uuid references public.runs (id) on delete set null
);
