-- Wispro customers ingest. Matching: by wispro_id, else by the normalised id number (never by
-- suffix). An update never changes a customer's id number. A person re-created in Wispro (new
-- wispro_id, same id number) updates the existing row, which takes the new wispro_id.

-- Each batch record with the local row it matches, or why it cannot be matched.
create function private.customer_matches(p_customers jsonb, p_run_id uuid)
returns table (rec jsonb, wispro_id uuid, id_number text, target uuid, reject_reason text, reject_detail text)
language sql stable set search_path = ''
as $$
  select c.rec, c.wispro_id, c.id_number,
    coalesce(w.id, n.id) as target,
    case
      when c.id_number is null or c.id_number !~ '^[VEJGP]-\d{1,20}$' then 'missing_id_number'
      when c.twins > 1 then 'ambiguous_match'
      when w.id is not null and n.id is not null and w.id <> n.id then 'ambiguous_match'
      -- The row matched by id number already took another wispro_id in this run: both records are
      -- alive in Wispro, so this is not a re-created person.
      when w.id is null and n.id is not null and n.last_run_id = p_run_id then 'ambiguous_match'
    end,
    case
      when c.id_number is null or c.id_number !~ '^[VEJGP]-\d{1,20}$' then 'no valid id number'
      when c.twins > 1 then 'the id number appears more than once in the batch'
      when w.id is not null and n.id is not null and w.id <> n.id then
        'wispro_id matches one customer and the id number another'
      when w.id is null and n.id is not null and n.last_run_id = p_run_id then
        'the id number belongs to another Wispro client synced in this run'
    end
  from (
    select r.value as rec, (r.value ->> 'wispro_id')::uuid as wispro_id, r.value ->> 'id_number' as id_number,
      count(*) over (partition by r.value ->> 'id_number') as twins
    from jsonb_array_elements(p_customers) as r(value)
  ) as c
  left join public.customers w on w.wispro_id = c.wispro_id
  left join public.customers n on n.id_number = c.id_number
$$;

create function public.ingest_customers(p_agent_key text, p_run_id uuid, p_seq integer, p_batch jsonb)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
  v_run public.runs := private.batch_run(v_agent.id, p_run_id, p_seq, p_batch);
  v_replay jsonb := private.replayed_batch(p_run_id, p_seq);
  v_customers jsonb := coalesce(p_batch -> 'customers', '[]'::jsonb);
  v_matches jsonb;
  v_total integer;
  v_rejects jsonb;
  v_created integer;
  v_updated integer;
  v_result jsonb;
begin
  if v_replay is not null then
    return v_replay;
  end if;
  if v_run.status <> 'running' then
    raise exception using errcode = 'PT409', message = format('run is %s, not running', v_run.status),
      hint = 'open or resume the run before sending batches';
  end if;
  if jsonb_typeof(v_customers) <> 'array' then
    raise exception using errcode = 'PT422', message = 'customers must be an array';
  end if;

  begin
    -- Matched once, then read by each statement below.
    select coalesce(jsonb_agg(jsonb_build_object('rec', m.rec, 'target', m.target,
        'reject_reason', m.reject_reason, 'reject_detail', m.reject_detail)), '[]'::jsonb),
      count(*)::integer
    into v_matches, v_total
    from private.customer_matches(v_customers, p_run_id) as m;

    select coalesce(jsonb_agg(jsonb_build_object('record_key', coalesce(m.rec ->> 'wispro_id', '?'),
        'reason', m.reject_reason, 'detail', m.reject_detail, 'payload', m.rec)), '[]'::jsonb)
    into v_rejects
    from jsonb_to_recordset(v_matches) as m(rec jsonb, reject_reason text, reject_detail text)
    where m.reject_reason is not null;

    -- Matched rows: update what changed; the id number stays as it is.
    with matched as (
      select m.target, c.*
      from jsonb_to_recordset(v_matches) as m(rec jsonb, target uuid, reject_reason text)
      cross join lateral jsonb_to_record(m.rec) as c(wispro_id uuid, public_id integer, custom_id text,
        name text, email text, phone text, phone_mobile text, national_id_raw text, zone text,
        address text, city text, details text, wispro_created_at timestamptz, wispro_updated_at timestamptz)
      where m.reject_reason is null and m.target is not null
    ), up as (
      update public.customers t set
        wispro_id = m.wispro_id, public_id = m.public_id, custom_id = m.custom_id, name = m.name,
        email = m.email, phone = m.phone, phone_mobile = m.phone_mobile,
        national_id_raw = m.national_id_raw, zone = m.zone, address = m.address, city = m.city,
        details = m.details, wispro_created_at = m.wispro_created_at,
        wispro_updated_at = m.wispro_updated_at, synced_at = now(), last_run_id = p_run_id
      from matched m
      where t.id = m.target
        and (t.wispro_id, t.public_id, t.custom_id, t.name, t.email, t.phone, t.phone_mobile,
          t.national_id_raw, t.zone, t.address, t.city, t.details, t.wispro_created_at, t.wispro_updated_at)
        is distinct from (m.wispro_id, m.public_id, m.custom_id, m.name, m.email, m.phone, m.phone_mobile,
          m.national_id_raw, m.zone, m.address, m.city, m.details, m.wispro_created_at, m.wispro_updated_at)
      returning 1
    )
    select count(*)::integer into v_updated from up;

    -- Unchanged matched rows still record that this run saw them (for the re-created-person rule).
    update public.customers t set last_run_id = p_run_id
    from jsonb_to_recordset(v_matches) as m(target uuid, reject_reason text)
    where m.reject_reason is null and t.id = m.target and t.last_run_id is distinct from p_run_id;

    with ins as (
      insert into public.customers (wispro_id, public_id, custom_id, name, email, phone, phone_mobile,
        national_id_raw, id_number, zone, address, city, details, wispro_created_at, wispro_updated_at,
        last_run_id)
      select c.wispro_id, c.public_id, c.custom_id, c.name, c.email, c.phone, c.phone_mobile,
        c.national_id_raw, c.id_number, c.zone, c.address, c.city, c.details, c.wispro_created_at,
        c.wispro_updated_at, p_run_id
      from jsonb_to_recordset(v_matches) as m(rec jsonb, target uuid, reject_reason text)
      cross join lateral jsonb_to_record(m.rec) as c(wispro_id uuid, public_id integer, custom_id text,
        name text, email text, phone text, phone_mobile text, national_id_raw text, id_number text,
        zone text, address text, city text, details text, wispro_created_at timestamptz,
        wispro_updated_at timestamptz)
      where m.reject_reason is null and m.target is null
      returning 1
    )
    select count(*)::integer into v_created from ins;

    insert into public.run_rejects (run_id, record_key, reason, detail, payload)
    select p_run_id, left(r.record_key, 200), r.reason, left(r.detail, 1000), r.payload
    from jsonb_to_recordset(coalesce(p_batch -> 'rejects', '[]'::jsonb) || v_rejects)
      as r(record_key text, reason text, detail text, payload jsonb);
  exception
    when check_violation or not_null_violation or invalid_text_representation
      or numeric_value_out_of_range or datetime_field_overflow or invalid_datetime_format
      or unique_violation or invalid_parameter_value then
    raise exception using errcode = 'PT422', message = 'batch refused: ' || sqlerrm,
      hint = 'nothing of this batch was written; fix the rows and resend';
  end;

  v_result := jsonb_build_object('seq', p_seq, 'replayed', false,
    'counts', jsonb_build_object('customers', jsonb_build_object(
      'created', v_created, 'updated', v_updated,
      'unchanged', v_total - jsonb_array_length(v_rejects) - v_created - v_updated, 'deleted', 0,
      'rejected', jsonb_array_length(v_rejects)
        + jsonb_array_length(coalesce(p_batch -> 'rejects', '[]'::jsonb)))),
    'rejects', (select coalesce(jsonb_agg(jsonb_build_object('record_key', r ->> 'record_key',
        'reason', r ->> 'reason')), '[]'::jsonb)
      from jsonb_array_elements(coalesce(p_batch -> 'rejects', '[]'::jsonb) || v_rejects) as r));
  return private.finish_batch(p_run_id, p_seq, v_result);
end
$$;
