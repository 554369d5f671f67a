-- Customer portal accounts through Supabase's invite flow (issue 20, finding 1). The edge used to create
-- each new customer's Auth user already confirmed, with the id number's digits (printed on invoices)
-- as its password: anyone able to write a Wispro client got a confirmed login they could guess. Now:
--
-- - the edge creates the Auth user unconfirmed and without a usable password (GoTrue generates a random
--   one), then asks GoTrue to email an invite; the customer sets their own password from the link, and
--   only that link confirms the email;
-- - the claim no longer hands out id numbers (nothing derives a password from them);
-- - `invited` is the ledger's new final state; a user created whose invite could not be sent stays
--   `pending` with its auth_user_id, so the next sync sends the invite without creating it again;
-- - an account with app_metadata.role = customer (or a customer_id) can never be given a Puente role:
--   a trigger on auth.users refuses it, whichever way the role is set (dashboard, Auth admin API, SQL).
-- Existing accounts and ledger rows are left as they are.

alter table public.portal_accounts drop constraint portal_accounts_status_check;
alter table public.portal_accounts add constraint portal_accounts_status_check
  check (status in ('pending', 'invited', 'created', 'email_taken', 'shared_email', 'refused'));
comment on column public.portal_accounts.status is
  'pending: to be created or invited; invited: Auth user created unconfirmed and invite sent (the '
  'customer sets the password); created: opened before invites (legacy); email_taken: an Auth user '
  'with this email existed and was left alone; shared_email: another new customer got it; refused: '
  'GoTrue refused it';

-- Same contract as before, minus the id number: {customerId, email, authUserId}.
create or replace function public.claim_portal_accounts(p_agent_key text, p_run_id uuid, p_wispro_ids jsonb)
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

  return (
    select coalesce(jsonb_agg(jsonb_build_object('customerId', p.customer_id, 'email', p.email,
        'authUserId', p.auth_user_id) order by c.public_id nulls last, c.id), '[]'::jsonb)
    from public.portal_accounts p
    join public.customers c on c.id = p.customer_id
    where c.wispro_id = any (v_ids) and c.last_run_id = p_run_id and p.status = 'pending'
  );
end
$$;

-- As before, with `invited`, and a pending outcome that carries user_id records it.
create or replace function public.settle_portal_accounts(p_agent_key text, p_run_id uuid, p_outcomes jsonb)
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
      or o.status not in ('pending', 'invited', 'email_taken', 'shared_email', 'refused')
  ) then
    raise exception using errcode = 'PT422',
      message = 'each outcome needs customer_id and a status of pending, invited, email_taken, shared_email or refused';
  end if;

  update public.portal_accounts p
  set status = o.status, auth_user_id = coalesce(o.user_id, p.auth_user_id),
    detail = left(o.detail, 500),
    settled_at = case when o.status <> 'pending' then now() end
  from jsonb_to_recordset(p_outcomes) as o(customer_id uuid, status text, user_id uuid, detail text),
    public.customers c
  where p.customer_id = o.customer_id and c.id = p.customer_id and c.last_run_id = v_run.id
    and p.status = 'pending';

  select jsonb_build_object(
      'invited', count(*) filter (where o.status = 'invited'),
      'emailTaken', count(*) filter (where o.status = 'email_taken'),
      'sharedEmail', count(*) filter (where o.status = 'shared_email'),
      'refused', count(*) filter (where o.status = 'refused'),
      'pending', count(*) filter (where o.status = 'pending'))
  into v_counts
  from jsonb_to_recordset(p_outcomes) as o(status text);

  select 'portal accounts: ' || string_agg(t.n || t.label, ', ' order by t.ord) into v_message
  from (values
    (1, (v_counts ->> 'invited')::int, ' invited by email'),
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

-- A customer account never gets a Puente role. Customer accounts are the ones Puente opened (a
-- customer_id in app_metadata) or any marked role = customer.
create function private.refuse_puente_role_for_customers() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if (old.raw_app_meta_data ->> 'role' = 'customer' or old.raw_app_meta_data ? 'customer_id')
      and new.raw_app_meta_data ->> 'role' is distinct from old.raw_app_meta_data ->> 'role' then
    raise exception using errcode = 'P0001',
      message = format('the account %s is a customer portal account: it cannot be given a Puente role (%s)',
        old.email, coalesce(new.raw_app_meta_data ->> 'role', 'none')),
      hint = 'create a separate account, with another email, for this person''s work in Puente';
  end if;
  return new;
end
$$;

create trigger users_customer_keeps_no_puente_role before update of raw_app_meta_data on auth.users
  for each row execute function private.refuse_puente_role_for_customers();

revoke execute on function private.refuse_puente_role_for_customers() from public;
