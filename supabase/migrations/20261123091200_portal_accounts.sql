-- Customer portal accounts, as the system being replaced opened them: when the edge's
-- PUENTE_PORTAL_ACCOUNTS policy is `id_number`, every customer a Wispro sync CREATES, if it has an
-- email, gets a Supabase Auth user (email + the id number's digits as the first password). The Auth
-- user itself is made by the edge through GoTrue's admin API; this table is the ledger that makes it
-- happen once per customer, survives a replayed batch, and records why a customer got no account.
-- No password is ever stored or logged here.

-- Which run inserted a customer: "new customer" must be exact, not guessed from timestamps.
alter table public.customers add column first_run_id uuid references public.runs (id) on delete set null;

create function private.stamp_first_run() returns trigger
language plpgsql set search_path = ''
as $$
begin
  new.first_run_id := coalesce(new.first_run_id, new.last_run_id);
  return new;
end
$$;

create trigger customers_first_run before insert on public.customers
  for each row execute function private.stamp_first_run();

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

-- Same rules as customers: written only through the RPCs below, read by admins only (emails are
-- personal data).
alter table public.portal_accounts enable row level security;
grant select, insert, update, delete on public.portal_accounts to puente_writer;
create policy writer_all on public.portal_accounts for all to puente_writer
  using (true) with check (true);
grant select on public.portal_accounts to authenticated;
create policy admin_read on public.portal_accounts for select to authenticated
  using ((select private.app_role()) = 'admin');

-- The run, if it belongs to the agent holding p_agent_key; PT404 otherwise.
create function private.agent_run(p_agent_key text, p_run_id uuid) returns public.runs
language plpgsql stable set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
  v_run public.runs;
begin
  select * into v_run from public.runs r where r.id = p_run_id and r.agent_id = v_agent.id;
  if not found then
    raise exception using errcode = 'PT404', message = 'run not found for this agent';
  end if;
  return v_run;
end
$$;

-- Called by the edge after a customers batch landed (also when the batch was a replay): records a
-- pending account for each customer of the batch that this run created and that has an email, then
-- answers every still-pending account of the batch's customers (new ones, and ones an earlier Auth
-- outage left pending) with what the edge needs to create it. Idempotent.
create function public.claim_portal_accounts(p_agent_key text, p_run_id uuid, p_wispro_ids jsonb)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_run public.runs := private.agent_run(p_agent_key, p_run_id);
  v_ids uuid[];
begin
  if jsonb_typeof(p_wispro_ids) is distinct from 'array' then
    raise exception using errcode = 'PT422', message = 'p_wispro_ids must be an array of uuids';
  end if;
  if jsonb_array_length(p_wispro_ids) > 1000 then
    raise exception using errcode = 'PT413', message = 'at most 1000 customers per call';
  end if;
  v_ids := array(select e::uuid from jsonb_array_elements_text(p_wispro_ids) as e);
  if v_run.source <> 'wispro' then
    raise exception using errcode = 'PT409', message = 'portal accounts come from Wispro runs only';
  end if;

  insert into public.portal_accounts (customer_id, email, run_id)
  select c.id, lower(btrim(c.email)), p_run_id
  from public.customers c
  where c.wispro_id = any (v_ids)
    and c.first_run_id = p_run_id
    and btrim(coalesce(c.email, '')) <> ''
  on conflict (customer_id) do nothing;

  -- Ordered, so which of two customers sharing an email gets the account is stable.
  return (
    select coalesce(jsonb_agg(jsonb_build_object('customerId', p.customer_id, 'email', p.email,
        'idNumber', c.id_number) order by c.public_id nulls last, c.id), '[]'::jsonb)
    from public.portal_accounts p
    join public.customers c on c.id = p.customer_id
    where c.wispro_id = any (v_ids) and c.last_run_id = p_run_id and p.status = 'pending'
  );
end
$$;

-- Stores what the edge got from GoTrue for each claimed account and writes one line in the run's
-- log. Only pending accounts of customers this run touched are settled; an outcome 'pending' (Auth
-- unreachable) leaves the account pending, so the next sync that sees the customer tries again.
-- Answers the counts: {created, emailTaken, sharedEmail, refused, pending}.
create function public.settle_portal_accounts(p_agent_key text, p_run_id uuid, p_outcomes jsonb)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_run public.runs := private.agent_run(p_agent_key, p_run_id);
  v_counts jsonb;
  v_message text;
begin
  if jsonb_typeof(p_outcomes) is distinct from 'array' then
    raise exception using errcode = 'PT422', message = 'outcomes must be an array';
  end if;
  if exists (
    select 1 from jsonb_to_recordset(p_outcomes) as o(customer_id uuid, status text)
    where o.customer_id is null
      or o.status is null
      or o.status not in ('pending', 'created', 'email_taken', 'shared_email', 'refused')
  ) then
    raise exception using errcode = 'PT422',
      message = 'each outcome needs customer_id and a status of pending, created, email_taken, shared_email or refused';
  end if;

  update public.portal_accounts p
  set status = o.status, auth_user_id = o.user_id, detail = left(o.detail, 500), settled_at = now()
  from jsonb_to_recordset(p_outcomes) as o(customer_id uuid, status text, user_id uuid, detail text),
    public.customers c
  where p.customer_id = o.customer_id and c.id = p.customer_id and c.last_run_id = v_run.id
    and p.status = 'pending' and o.status <> 'pending';

  select jsonb_build_object(
      'created', count(*) filter (where o.status = 'created'),
      'emailTaken', count(*) filter (where o.status = 'email_taken'),
      'sharedEmail', count(*) filter (where o.status = 'shared_email'),
      'refused', count(*) filter (where o.status = 'refused'),
      'pending', count(*) filter (where o.status = 'pending'))
  into v_counts
  from jsonb_to_recordset(p_outcomes) as o(status text);

  select 'portal accounts: ' || string_agg(t.n || t.label, ', ' order by t.ord) into v_message
  from (values
    (1, (v_counts ->> 'created')::int, ' created'),
    (2, (v_counts ->> 'emailTaken')::int, ' skipped (email already registered)'),
    (3, (v_counts ->> 'sharedEmail')::int, ' skipped (email shared with another new customer)'),
    (4, (v_counts ->> 'refused')::int, ' refused by Auth (see portal_accounts.detail)'),
    (5, (v_counts ->> 'pending')::int, ' left pending (Auth unreachable; retried on the next sync)')
  ) as t(ord, n, label)
  where t.n > 0;
  if v_message is not null then
    insert into public.run_events (run_id, level, message)
    values (v_run.id,
      case when (v_counts ->> 'refused')::int + (v_counts ->> 'pending')::int > 0 then 'warn' else 'info' end,
      v_message);
  end if;
  return v_counts;
end
$$;

revoke execute on function private.stamp_first_run(), private.agent_run(text, uuid) from public;
revoke execute on function public.claim_portal_accounts(text, uuid, jsonb),
  public.settle_portal_accounts(text, uuid, jsonb) from public, anon, authenticated;
alter function public.claim_portal_accounts(text, uuid, jsonb) owner to puente_writer;
alter function public.settle_portal_accounts(text, uuid, jsonb) owner to puente_writer;
grant execute on function private.stamp_first_run(), private.agent_run(text, uuid) to puente_writer;
-- The edge, after it checked an agent key.
grant execute on function public.claim_portal_accounts(text, uuid, jsonb),
  public.settle_portal_accounts(text, uuid, jsonb) to service_role;
